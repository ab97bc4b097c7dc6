// Quick fixes on a conflict squiggle in a record document: Keep Mine / Keep Theirs.
import * as vscode from 'vscode';
import { conflictSideLine, RecordStore } from './client';
import { CONFLICT_CODE, conflictLine } from './recordDiagnostics';
import { parseRecordUri, RecordFileSystemProvider } from './recordFileSystemProvider';

export class ConflictCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly store: RecordStore, private readonly recordFs: RecordFileSystemProvider) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ref = parseRecordUri(doc.uri);
    const table = ref && this.recordFs.tableOf(ref.database);
    if (!ref || !table || !context.diagnostics.some((d) => d.code === CONFLICT_CODE)) return [];
    const text = doc.getText();
    const actions: vscode.CodeAction[] = [];
    for (const c of this.store.conflictsFor(table.entry.db.name, ref.id, table.table)) {
      if (conflictLine(text, c.field) - 1 !== range.start.line) continue;
      const node = { kind: 'conflict', database: c.database, conflictId: c.id };
      for (const [command, label] of [['sdndb.keepMine', `Keep Mine (${conflictSideLine(c, 'ours', 40, table)})`], ['sdndb.keepTheirs', `Keep Theirs (${conflictSideLine(c, 'theirs', 40, table)})`]]) {
        const a = new vscode.CodeAction(label, vscode.CodeActionKind.QuickFix);
        a.diagnostics = context.diagnostics.filter((d) => d.code === CONFLICT_CODE);
        a.command = { command, title: label, arguments: [node] };
        actions.push(a);
      }
    }
    return actions;
  }
}
