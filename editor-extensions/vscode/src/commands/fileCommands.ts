// Commands between the raw `.sdn` files and the record views: open a database as a table, reveal a
// record's row in its file, open the record whose row holds the cursor. Rows of every table of a file
// count: its records table, other keyed tables and keyless ones (`@N`), addressed as `NAME.TABLE`.
import * as vscode from 'vscode';
import { rowAt, sdnOutline, tableAddress } from '../client';
import { GRID_VIEW_TYPE } from '../gridEditorProvider';
import { CommandContext, guarded, pickDatabase, resolveRecord } from './context';

export function registerFileCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('sdndb.openDatabase', guarded(ctx, 'openDatabase', async (arg?: unknown) => {
      let uri: vscode.Uri | undefined;
      if (arg instanceof vscode.Uri) uri = arg;
      else if (arg && typeof arg === 'object' && (arg as { kind?: string }).kind === 'database') {
        const entry = ctx.store.database((arg as { database: string }).database);
        if (entry) uri = vscode.Uri.file(entry.db.path);
      }
      if (!uri) {
        const active = vscode.window.activeTextEditor?.document.uri;
        if (active?.scheme === 'file' && /_db\.sdn$/.test(active.path)) uri = active;
      }
      if (!uri) {
        const name = await pickDatabase(ctx, 'Database to open as a table');
        const entry = name ? ctx.store.database(name) : undefined;
        if (entry) uri = vscode.Uri.file(entry.db.path);
      }
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, GRID_VIEW_TYPE);
    })),

    vscode.commands.registerCommand('sdndb.revealRecord', guarded(ctx, 'revealRecord', async (node?: unknown) => {
      const target = (await resolveRecord(ctx, node, 'Record to reveal in its file'))?.node;
      if (!target) return;
      const table = ctx.recordFs.tableOf(target.database);
      if (!table) throw new Error(`no database ${target.database}`);
      // The row's line now (a cached one is stale once rows above it were added or removed elsewhere).
      const { line } = await (await ctx.supervisor.ready()).get(target.database, target.id);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(table.entry.db.path));
      const range = doc.lineAt(Math.max(0, Math.min(line - 1, doc.lineCount - 1))).range;
      await vscode.window.showTextDocument(doc, { selection: range, preview: false });
    })),

    vscode.commands.registerCommand('sdndb.openRecordAtCursor', guarded(ctx, 'openRecordAtCursor', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.uri.scheme !== 'file') throw new Error('open a .sdn file and put the cursor on a row');
      const entry = ctx.store.databaseOfFile(editor.document.uri.fsPath);
      if (!entry) throw new Error(`${editor.document.uri.fsPath} is not one of the sdndb databases`);
      const line = editor.selection.active.line + 1;
      const at = rowAt(sdnOutline(editor.document.getText()), line);
      if (!at?.row) throw new Error('the cursor is not on a row of a table');
      const known = entry.db.tables?.map((t) => t.name) ?? [entry.db.table];
      if (!known.includes(at.table.name)) throw new Error(`"${at.table.name}" is not a table sdndb reads in this file (tables: ${known.join(', ')})`);
      if (editor.document.isDirty) throw new Error('save the file first: the record is found by its line in the file on disk');
      // The server says which record is on that line (its key, or @N for a row without a unique key).
      const database = tableAddress(entry.db.name, at.table.name, entry.db.table);
      const { records } = await (await ctx.supervisor.ready()).list({ database });
      const record = records.find((r) => r.line === line);
      if (!record) throw new Error(`line ${line} of table "${at.table.name}" is not a record sdndb reads (a malformed row? see the Problems view)`);
      await vscode.commands.executeCommand('sdndb.openRecord', { kind: 'record', database, id: record.id });
    })),
  ];
}
