// The Conflicts view: one node per conflict, with base / mine / theirs underneath.
import * as vscode from 'vscode';
import { conflictLabel, conflictSideLine, conflictSideText, RecordStore } from './client';
import { ConflictNode, ConflictsNode, ConflictValueNode } from './nodes';

export const SIDE_LABEL = { base: 'base', ours: 'mine', theirs: 'theirs' } as const;

export class ConflictsTreeProvider implements vscode.TreeDataProvider<ConflictsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ConflictsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: RecordStore) {
    this.sub = store.onDidUpdate(() => this.changeEmitter.fire(undefined));
  }

  getChildren(node?: ConflictsNode): ConflictsNode[] {
    if (!node) return this.store.conflicts.map((c): ConflictNode => ({ kind: 'conflict', database: c.database, conflictId: c.id }));
    if (node.kind === 'conflict') {
      return (['base', 'ours', 'theirs'] as const).map((side): ConflictValueNode => ({
        kind: 'conflictValue', database: node.database, conflictId: node.conflictId, side,
      }));
    }
    return [];
  }

  getParent(node: ConflictsNode): ConflictsNode | undefined {
    return node.kind === 'conflictValue' ? { kind: 'conflict', database: node.database, conflictId: node.conflictId } : undefined;
  }

  getTreeItem(node: ConflictsNode): vscode.TreeItem {
    const c = this.store.findConflict(node.database, node.conflictId);
    const key = `${node.database}/${node.conflictId}`;
    if (node.kind === 'conflict') {
      const item = new vscode.TreeItem(c ? conflictLabel(c, this.store.database(c.database)?.db.table) : key, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `conflict:${key}`;
      item.contextValue = 'conflict';
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      if (c) {
        const layout = this.store.conflictLayout(c);
        item.description = `mine ${conflictSideLine(c, 'ours', 20, layout)} ≠ theirs ${conflictSideLine(c, 'theirs', 20, layout)}`;
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**Conflict** in \`${c.database}\` record \`${c.record}\`, field \`${c.field}\`\n\n`);
        for (const [label, side] of [['base', 'base'], ['mine', 'ours'], ['theirs', 'theirs']] as const) {
          md.appendMarkdown(`- ${label}:`).appendCodeblock(conflictSideText(c, side, layout), 'text');
        }
        if (c.who || c.when) md.appendMarkdown(`by ${c.who || '?'} at ${c.when || '?'}`);
        item.tooltip = md;
      }
      return item;
    }
    const value = c ? conflictSideText(c, node.side, this.store.conflictLayout(c)) : '';
    const item = new vscode.TreeItem(SIDE_LABEL[node.side], vscode.TreeItemCollapsibleState.None);
    item.id = `conflict:${key}:${node.side}`;
    item.description = c ? conflictSideLine(c, node.side, 60, this.store.conflictLayout(c)) : '';
    item.tooltip = value;
    item.contextValue = `conflictValue-${node.side}`;
    item.iconPath = new vscode.ThemeIcon(node.side === 'base' ? 'git-commit' : node.side === 'ours' ? 'account' : 'remote');
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changeEmitter.dispose();
  }
}
