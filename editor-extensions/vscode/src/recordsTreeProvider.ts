// The Records view: database → group (status / area / priority) → record.
import * as vscode from 'vscode';
import {
  GroupBy, groupField, groupRecords, matchesFilter, RecordStore, recordDescription, recordTitle,
  recordTooltipMarkdown, statusIcon, SdnRecord,
} from './client';
import { DatabaseNode, GroupNode, RecordNode, RecordsNode } from './nodes';

export class RecordsTreeProvider implements vscode.TreeDataProvider<RecordsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RecordsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private filterText = '';
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: RecordStore, private groupByValue: GroupBy) {
    this.sub = store.onDidUpdate(() => this.changeEmitter.fire(undefined));
  }

  get filter(): string { return this.filterText; }
  set filter(text: string) {
    this.filterText = text.trim();
    this.changeEmitter.fire(undefined);
  }
  get groupBy(): GroupBy { return this.groupByValue; }
  set groupBy(by: GroupBy) {
    this.groupByValue = by;
    this.changeEmitter.fire(undefined);
  }

  private visible(database: string): SdnRecord[] {
    const entry = this.store.database(database);
    if (!entry) return [];
    return this.filterText ? entry.records.filter((r) => matchesFilter(r, this.filterText)) : entry.records;
  }

  getChildren(node?: RecordsNode): RecordsNode[] {
    if (!node) {
      return this.store.databases
        .filter((e) => !this.filterText || this.visible(e.db.name).length > 0)
        .map((e): DatabaseNode => ({ kind: 'database', database: e.db.name }));
    }
    if (node.kind === 'database') {
      const entry = this.store.database(node.database);
      if (!entry) return [];
      const field = groupField(entry.db.columns, this.groupByValue);
      return groupRecords(this.visible(node.database), entry.db.columns, this.groupByValue)
        .map((g): GroupNode => ({ kind: 'group', database: node.database, field, key: g.key }));
    }
    if (node.kind === 'group') {
      const entry = this.store.database(node.database);
      if (!entry) return [];
      const group = groupRecords(this.visible(node.database), entry.db.columns, this.groupByValue)
        .find((g) => g.key === node.key);
      return (group?.records ?? []).map((r): RecordNode => ({ kind: 'record', database: node.database, id: r.id }));
    }
    return [];
  }

  getParent(node: RecordsNode): RecordsNode | undefined {
    if (node.kind === 'database') return undefined;
    if (node.kind === 'group') return { kind: 'database', database: node.database };
    const entry = this.store.database(node.database);
    const record = this.store.findRecord(node.database, node.id);
    if (!entry || !record) return undefined;
    const field = groupField(entry.db.columns, this.groupByValue);
    return { kind: 'group', database: node.database, field, key: (field ? record.fields[field] : '') || '(none)' };
  }

  getTreeItem(node: RecordsNode): vscode.TreeItem {
    if (node.kind === 'database') return this.databaseItem(node);
    if (node.kind === 'group') return this.groupItem(node);
    return this.recordItem(node);
  }

  private databaseItem(node: DatabaseNode): vscode.TreeItem {
    const entry = this.store.database(node.database)!;
    const item = new vscode.TreeItem(node.database, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `db:${node.database}`;
    const shown = this.filterText ? `${this.visible(node.database).length}/${entry.records.length}` : `${entry.records.length}`;
    const conflicts = this.store.conflictsFor(node.database).length;
    item.description = `${shown} records${conflicts ? ` · ${conflicts} conflict${conflicts === 1 ? '' : 's'}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(entry.error ? 'error' : 'database');
    item.contextValue = 'database';
    item.tooltip = new vscode.MarkdownString(
      `**${node.database}** (table \`${entry.db.table}\`)\n\n${entry.db.path}\n\n` +
      `${entry.records.length} records, ${conflicts} conflicts, strategy \`${entry.db.strategy}\`` +
      (entry.error ? `\n\n$(error) ${entry.error}` : ''), true);
    return item;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const count = this.getChildren(node).length;
    const item = new vscode.TreeItem(node.key, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `group:${node.database}:${this.groupByValue}:${node.key}`;
    item.description = `${count}`;
    item.iconPath = new vscode.ThemeIcon(this.groupByValue === 'status' ? statusIcon(node.key) : 'folder');
    item.contextValue = 'group';
    item.tooltip = `${node.field ?? this.groupByValue} = ${node.key} (${count})`;
    return item;
  }

  private recordItem(node: RecordNode): vscode.TreeItem {
    const record = this.store.findRecord(node.database, node.id);
    const item = new vscode.TreeItem(record ? recordTitle(record) : node.id, vscode.TreeItemCollapsibleState.None);
    item.id = `record:${node.database}:${node.id}`;
    if (!record) return item;
    const entry = this.store.database(node.database)!;
    const field = groupField(entry.db.columns, this.groupByValue);
    const conflicts = this.store.conflictsFor(node.database, node.id).length;
    item.description = [`#${record.id}`, recordDescription(record, field)].filter(Boolean).join(' · ') +
      (conflicts ? ` · ⚠ ${conflicts} conflict${conflicts === 1 ? '' : 's'}` : '');
    item.iconPath = conflicts
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon(statusIcon(record.fields.status));
    const md = new vscode.MarkdownString(recordTooltipMarkdown(node.database, record));
    item.tooltip = md;
    item.contextValue = 'record';
    item.command = { command: 'sdndb.openRecord', title: 'Open Record', arguments: [node] };
    item.accessibilityInformation = { label: `${node.database} record ${record.id}: ${recordTitle(record)}, ${item.description}` };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changeEmitter.dispose();
  }
}
