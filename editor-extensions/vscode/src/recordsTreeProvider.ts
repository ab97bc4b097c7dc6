// The Records view: database → group (status / area / priority) → record.
import * as vscode from 'vscode';
import {
  Group, GroupBy, groupField, groupKey, groupRecords, matchesFilter, RecordStore, recordDescription, recordTitle,
  plural, recordsTableVersioned, recordTooltipMarkdown, statusIcon, SdnRecord,
} from './client';
import { DatabaseNode, GroupNode, RecordNode, RecordsNode } from './nodes';

export class RecordsTreeProvider implements vscode.TreeDataProvider<RecordsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RecordsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private filterText = '';
  /** Per database: its filtered records and their groups. Cleared on every store, filter or grouping change. */
  private readonly cache = new Map<string, { visible: SdnRecord[]; field: string | undefined; groups: Group[] }>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: RecordStore, private groupByValue: GroupBy) {
    this.sub = store.onDidUpdate(() => this.changed());
  }

  get filter(): string { return this.filterText; }
  set filter(text: string) {
    this.filterText = text.trim();
    this.changed();
  }
  get groupBy(): GroupBy { return this.groupByValue; }
  set groupBy(by: GroupBy) {
    this.groupByValue = by;
    this.changed();
  }

  private changed(): void {
    this.cache.clear();
    this.changeEmitter.fire(undefined);
  }

  private grouped(database: string) {
    let c = this.cache.get(database);
    if (!c) {
      const entry = this.store.database(database);
      const records = entry?.records ?? [];
      const columns = entry?.db.columns ?? [];
      const visible = this.filterText ? records.filter((r) => matchesFilter(r, this.filterText)) : records;
      c = { visible, field: groupField(columns, this.groupByValue), groups: groupRecords(visible, columns, this.groupByValue) };
      this.cache.set(database, c);
    }
    return c;
  }

  private visible(database: string): SdnRecord[] {
    return this.grouped(database).visible;
  }

  /** True when the filter leaves at least one record. */
  get hasVisibleRecords(): boolean {
    return this.store.databases.some((e) => this.visible(e.db.name).length > 0);
  }

  getChildren(node?: RecordsNode): RecordsNode[] {
    if (!node) {
      return this.store.databases
        .filter((e) => !this.filterText || this.visible(e.db.name).length > 0)
        .map((e): DatabaseNode => ({ kind: 'database', database: e.db.name }));
    }
    if (node.kind === 'database') {
      if (!this.store.database(node.database)) return [];
      const { field, groups } = this.grouped(node.database);
      return groups.map((g): GroupNode => ({ kind: 'group', database: node.database, field, key: g.key }));
    }
    if (node.kind === 'group') return this.recordsOf(node).map((r): RecordNode => ({ kind: 'record', database: node.database, id: r.id }));
    return [];
  }

  private recordsOf(node: GroupNode): SdnRecord[] {
    return this.grouped(node.database).groups.find((g) => g.key === node.key)?.records ?? [];
  }

  getParent(node: RecordsNode): RecordsNode | undefined {
    if (node.kind === 'database') return undefined;
    if (node.kind === 'group') return { kind: 'database', database: node.database };
    const record = this.store.findRecord(node.database, node.id);
    if (!record) return undefined;
    const { field } = this.grouped(node.database);
    return { kind: 'group', database: node.database, field, key: groupKey(record, field) };
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
    const conflicts = this.store.conflictsFor(node.database).length;
    const total = plural(entry.records.length, 'record');
    const shown = this.filterText ? `${this.visible(node.database).length} of ${total}` : total;
    item.description = `${entry.error ? 'unreadable · ' : ''}${shown}${conflicts ? ` · ${plural(conflicts, 'conflict')}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(entry.error ? 'error' : 'database');
    item.contextValue = 'database';
    item.tooltip = new vscode.MarkdownString(
      `**${node.database}** (table \`${entry.db.table}\`)\n\n${entry.db.path}\n\n` +
      `${plural(entry.records.length, 'record')}, ${plural(conflicts, 'conflict')}, strategy \`${entry.db.strategy}\`` +
      (entry.error ? `\n\n$(error) ${entry.error}` : ''), true);
    return item;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const count = this.recordsOf(node).length;
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
    const md = new vscode.MarkdownString(recordTooltipMarkdown(node.database, record, recordsTableVersioned(entry.db)));
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
