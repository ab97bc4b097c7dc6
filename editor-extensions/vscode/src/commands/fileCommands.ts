// Commands between the raw `.sdn` files and the record views: open a database as a table, reveal a
// record's row in its file, open the record whose row holds the cursor.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { DatabaseEntry, rowAt, sdnOutline } from '../client';
import { GRID_VIEW_TYPE } from '../gridEditorProvider';
import { CommandContext, guarded, pickDatabase, resolveRecord } from './context';

function realPath(p: string): string {
  try { return fs.realpathSync(p); } catch { return p; }
}

/** The database stored in a file. */
export function databaseOfFile(ctx: CommandContext, file: string): DatabaseEntry | undefined {
  const real = realPath(file);
  return ctx.store.databases.find((e) => realPath(e.db.path) === real);
}

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
      const target = await resolveRecord(ctx, node, 'Record to reveal in its file');
      if (!target) return;
      const { database, id } = target.node;
      const entry = ctx.store.database(database);
      if (!entry) throw new Error(`no database ${database}`);
      let line = target.record.line;
      if (!line) line = (await (await ctx.supervisor.ready()).get(database, id)).line; // appended since the last read
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(entry.db.path));
      const range = doc.lineAt(Math.max(0, Math.min(line - 1, doc.lineCount - 1))).range;
      await vscode.window.showTextDocument(doc, { selection: range, preview: false });
    })),

    vscode.commands.registerCommand('sdndb.openRecordAtCursor', guarded(ctx, 'openRecordAtCursor', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.uri.scheme !== 'file') throw new Error('open a .sdn file and put the cursor on a row');
      const entry = databaseOfFile(ctx, editor.document.uri.fsPath);
      if (!entry) throw new Error(`${editor.document.uri.fsPath} is not one of the sdndb databases`);
      const at = rowAt(sdnOutline(editor.document.getText()), editor.selection.active.line + 1);
      if (!at?.row) throw new Error('the cursor is not on a row of a table');
      if (at.table.name !== entry.db.table) {
        throw new Error(`the row is in table "${at.table.name}"; records can be opened from table "${entry.db.table}" of this file`);
      }
      const idAt = Math.max(0, at.table.columns.indexOf(entry.db.idColumn));
      const id = at.row.cells[idAt] ?? '';
      await vscode.commands.executeCommand('sdndb.openRecord', { kind: 'record', database: entry.db.name, id });
    })),
  ];
}
