// Squiggles in open record documents: what would make a save fail (bad lines, unknown or repeated
// fields, a changed id, a removed field) while typing, and each stored conflict on its field's line.
import * as vscode from 'vscode';
import { conflictSideLine, conflictSideText, fieldLine, parseValue, RecordStore, validateRecordText } from './client';
import { isNewRecordId, parseRecordUri, RECORD_SCHEME, RecordFileSystemProvider } from './recordFileSystemProvider';

/** Diagnostic code of a conflict squiggle. */
export const CONFLICT_CODE = 'conflict';

/** The 1-based line of a record document that shows a conflict's field. */
export function conflictLine(text: string, field: string): number {
  return field === '*' ? 1 : fieldLine(text, field) || 1;
}

export class RecordDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('sdndb-record');
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly store: RecordStore, private readonly recordFs: RecordFileSystemProvider) {
    this.subs.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.update(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      store.onDidUpdate(() => { for (const d of vscode.workspace.textDocuments) this.update(d); }),
    );
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  private update(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== RECORD_SCHEME) return;
    const ref = parseRecordUri(doc.uri);
    const table = ref && this.recordFs.tableOf(ref.database);
    if (!ref || !table) return;
    const text = doc.getText();
    const lineRange = (line: number) => doc.lineAt(Math.max(0, Math.min(line - 1, doc.lineCount - 1))).range;
    // A new-record document has no id yet (an empty one is generated; a typed one is the user's choice).
    const isNew = isNewRecordId(ref.id);
    const idLine = isNew ? fieldLine(text, table.idColumn) : 0;
    const typed = idLine ? text.split(/\r?\n/)[idLine - 1] : '';
    // A row addressed by position (`@N`) shows its key, which is not its address.
    const id = isNew ? parseValue(typed.slice(typed.indexOf(':') + 1)) : this.recordFs.keyOf(doc.uri) ?? ref.id;
    const out: vscode.Diagnostic[] = validateRecordText(text, { id, idColumn: table.idColumn, columns: table.columns })
      .map((p) => {
        const d = new vscode.Diagnostic(lineRange(p.line), p.message,
          p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'sdndb';
        return d;
      });
    for (const c of isNew ? [] : this.store.conflictsFor(table.entry.db.name, ref.id, table.table)) {
      const line = conflictLine(text, c.field);
      const sides = c.field === '*'
        ? `the whole record: mine ${conflictSideLine(c, 'ours', 80, table)}, theirs ${conflictSideLine(c, 'theirs', 80, table)} (base ${conflictSideLine(c, 'base', 80, table)})`
        : `${c.field}: mine ${JSON.stringify(c.ours)}, theirs ${JSON.stringify(c.theirs)} (base ${c.baseKnown === false ? conflictSideText(c, 'base') : JSON.stringify(c.base)})`;
      const d = new vscode.Diagnostic(lineRange(line),
        `Conflict on ${sides}. Use Keep Mine / Keep Theirs (quick fix or the Conflicts view).`, vscode.DiagnosticSeverity.Warning);
      d.source = 'sdndb';
      d.code = CONFLICT_CODE;
      out.push(d);
    }
    this.collection.set(doc.uri, out);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
