// Commands on records: open, add, delete, change status / priority, edit title.
import * as vscode from 'vscode';
import { DatabaseEntry, editBase, fieldValueChoices, groupField, recordTitle, SdnRecord, titleField } from '../client';
import { settings } from '../config';
import { reportEditOutcome } from '../editOutcome';
import { newRecordUri, RECORD_SCHEME, recordUriFor, sameRecord } from '../recordFileSystemProvider';
import { CommandContext, guarded, pickDatabase, resolveRecord } from './context';

const COMMON_VALUES: Record<string, string[]> = {
  status: ['open', 'in_progress', 'blocked', 'closed'],
  priority: ['P0', 'P1', 'P2', 'P3'],
};

/**
 * Sends one field-level edit based on the record as shown (its etag), so concurrent changes merge.
 * `database` may address another table of a file (`NAME.TABLE`); its documents follow by didChange.
 */
async function editFields(ctx: CommandContext, database: string, record: SdnRecord, changes: Record<string, string>) {
  const client = await ctx.supervisor.ready();
  const result = await client.edit({ database, id: record.id, changes, base: editBase(record), strategy: settings().defaultStrategy });
  reportEditOutcome(database, record.id, result);
  await ctx.recordFs.applyEdit(database, result);
  return result;
}

/** The columns of the table a command's `database` (`NAME` or `NAME.TABLE`) addresses. */
function columnsOf(ctx: CommandContext, database: string): string[] {
  return ctx.recordFs.tableOf(database)?.columns ?? [];
}

async function pickFieldValue(ctx: CommandContext, database: string, field: string, current: string): Promise<string | undefined> {
  const seen = new Set<string>();
  const records = ctx.recordFs.tableOf(database)?.isOther
    ? (await (await ctx.supervisor.ready()).list({ database })).records
    : ctx.store.database(database)?.records ?? [];
  for (const r of records) if (r.fields[field]) seen.add(r.fields[field]);
  // The values this table uses (one scale: never "high" next to "P0"); the common ones only for an unused column.
  const values = fieldValueChoices(seen, COMMON_VALUES[field] ?? []);
  const OTHER = 'Other…';
  const items: vscode.QuickPickItem[] = values.map((v) => ({ label: v, description: v === current ? '(current)' : undefined }));
  items.push({ label: OTHER, description: 'type a value' });
  const pick = await vscode.window.showQuickPick(items, { placeHolder: `${field} of ${database} record (now: ${current || '""'})` });
  if (!pick) return undefined;
  if (pick.label !== OTHER) return pick.label;
  return vscode.window.showInputBox({ prompt: `New ${field}`, value: current });
}

/**
 * Pick a record (or take the node), find the field to edit (fieldOf: undefined = nothing to do), ask
 * for its new value and send it when it differs.
 */
async function editOneField(
  ctx: CommandContext, node: unknown, placeHolder: string,
  fieldOf: (database: string, record: SdnRecord) => string | undefined,
  ask: (database: string, field: string, record: SdnRecord) => Thenable<string | undefined>,
  inDatabase?: (e: DatabaseEntry) => boolean,
) {
  const target = await resolveRecord(ctx, node, placeHolder, inDatabase);
  if (!target) return;
  const { database } = target.node;
  const field = fieldOf(database, target.record);
  if (!field) return;
  const value = await ask(database, field, target.record);
  if (value === undefined || value === target.record.fields[field]) return;
  await editFields(ctx, database, target.record, { [field]: value });
}

/** Status or priority: a QuickPick of the values in use. */
function changeField(ctx: CommandContext, node: unknown, by: 'status' | 'priority') {
  return editOneField(ctx, node, `Record whose ${by} to change`,
    (database) => {
      const field = groupField(columnsOf(ctx, database), by);
      if (!field) void vscode.window.showInformationMessage(`sdndb: ${database} has no ${by} column.`);
      return field;
    },
    (database, field, record) => pickFieldValue(ctx, database, field, record.fields[field] ?? ''),
    (e) => groupField(e.db.columns, by) !== undefined);
}

export function registerRecordCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('sdndb.openRecord', guarded(ctx, 'openRecord', async (node?: unknown) => {
      const target = await resolveRecord(ctx, node, 'Record to open', undefined, false);
      if (!target) return;
      const { database, id } = target.node;
      // An open document of the record is reused, whatever title its tab had then.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === RECORD_SCHEME && sameRecord(d.uri, database, id));
      const doc = open ?? await vscode.workspace.openTextDocument(recordUriFor(database, id, recordTitle(target.record)));
      await vscode.window.showTextDocument(doc, { preview: false });
    })),

    vscode.commands.registerCommand('sdndb.setStatus', guarded(ctx, 'setStatus', (node?: unknown) => changeField(ctx, node, 'status'))),
    vscode.commands.registerCommand('sdndb.setPriority', guarded(ctx, 'setPriority', (node?: unknown) => changeField(ctx, node, 'priority'))),

    vscode.commands.registerCommand('sdndb.editTitle', guarded(ctx, 'editTitle', (node?: unknown) => editOneField(
      ctx, node, 'Record whose title to edit',
      (database, record) => {
        const field = titleField(columnsOf(ctx, database).length ? columnsOf(ctx, database) : Object.keys(record.fields));
        if (!field) throw new Error(`${database} has no title, name or description column`);
        return field;
      },
      (database, field, record) => vscode.window.showInputBox({
        prompt: `${field} of ${database} #${record.id}`,
        value: record.fields[field] ?? '',
        validateInput: (v) => (v.includes('\n') ? 'one line only' : undefined),
      })))),

    // A new-record document with every field of the table; saving it creates the record.
    vscode.commands.registerCommand('sdndb.addRecord', guarded(ctx, 'addRecord', async (node?: unknown) => {
      let database: string | undefined;
      if (node && typeof node === 'object' && 'database' in node) database = (node as { database: string }).database;
      database ??= await pickDatabase(ctx, 'Database to add a record to');
      if (!database) return;
      if (!ctx.store.database(database)) throw new Error(`no database ${database}`);
      const doc = await vscode.workspace.openTextDocument(newRecordUri(database));
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      // Put the cursor on the title field's value, ready to type.
      const field = titleField(ctx.store.database(database)!.db.columns);
      const line = field ? doc.getText().split('\n').findIndex((l) => l.startsWith(`${field}:`)) : -1;
      if (line >= 0) editor.selection = new vscode.Selection(line, doc.lineAt(line).text.length, line, doc.lineAt(line).text.length);
    })),

    vscode.commands.registerCommand('sdndb.deleteRecord', guarded(ctx, 'deleteRecord', async (node?: unknown) => {
      const target = await resolveRecord(ctx, node, 'Record to delete');
      if (!target) return;
      const { database } = target.node;
      const yes = 'Delete';
      const choice = await vscode.window.showWarningMessage(
        `Delete ${database} #${target.record.id} "${recordTitle(target.record)}"?`,
        { modal: true, detail: 'The row is removed from the .sdn file.' }, yes);
      if (choice !== yes) return;
      const client = await ctx.supervisor.ready();
      // The etag as base (a row addressed by position, @N, is deleted only with it).
      const base = target.record.etag ? { baseEtag: target.record.etag } : { baseVersion: target.record.version };
      const result = await client.delete({ database, id: target.record.id, ...base, strategy: settings().defaultStrategy });
      const table = ctx.recordFs.tableOf(database);
      if (result.outcome === 'conflict') {
        void vscode.window.showWarningMessage(`sdndb: ${database} #${target.record.id} was changed elsewhere; not deleted. See the Conflicts view.`);
        await ctx.store.refreshConflicts(table?.entry.db.name ?? database);
      } else if (!table?.isOther) {
        ctx.store.removeRecord(database, target.record.id);
      }
    })),
  ];
}

