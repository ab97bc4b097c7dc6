// What the command modules need, handed over by activate().
import * as vscode from 'vscode';
import { Conflict, DatabaseEntry, RecordStore, SdnRecord, ServerSupervisor, recordTitle, conflictLabel, conflictSideLine, plural, shortValue } from '../client';
import { ConflictNode, ConflictsNode, RecordNode, RecordsNode } from '../nodes';
import { isNewRecordId, parseRecordUri, RECORD_SCHEME, RecordFileSystemProvider } from '../recordFileSystemProvider';
import { RecordsTreeProvider } from '../recordsTreeProvider';

export interface CommandContext {
  supervisor: ServerSupervisor;
  store: RecordStore;
  records: RecordsTreeProvider;
  recordsView: vscode.TreeView<RecordsNode>;
  conflictsView: vscode.TreeView<ConflictsNode>;
  recordFs: RecordFileSystemProvider;
  log: vscode.LogOutputChannel;
}

/** Runs a command body, turning failures into an error message (and a log line). */
export function guarded<A extends unknown[]>(ctx: CommandContext, name: string, fn: (...args: A) => Promise<unknown>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      ctx.log.error(`${name}: ${msg}`);
      void vscode.window.showErrorMessage(`sdndb: ${msg}`);
    }
  };
}

export async function pickDatabase(ctx: CommandContext, placeHolder: string): Promise<string | undefined> {
  const dbs = ctx.store.databases;
  if (dbs.length === 1) return dbs[0].db.name;
  const pick = await vscode.window.showQuickPick(
    dbs.map((e) => ({ label: e.db.name, description: plural(e.records.length, 'record'), detail: e.db.path })),
    { placeHolder });
  return pick?.label;
}

/**
 * The record a command acts on: the node it was invoked on, else the active record document's, else
 * one picked in a QuickPick (records tables). A record of another table of a file (`NAME.TABLE`,
 * from a node or the active document) is read from the server: the store caches records tables only.
 * `inDatabase`: which databases' records the picker offers (e.g. only tables with a priority column).
 * `useActive`: from the palette, act on the active record document instead of asking.
 */
export async function resolveRecord(
  ctx: CommandContext, node: unknown, placeHolder: string, inDatabase: (e: DatabaseEntry) => boolean = () => true, useActive = true,
): Promise<{ node: RecordNode; record: SdnRecord } | undefined> {
  let target: RecordNode | undefined;
  if (node && typeof node === 'object' && (node as RecordNode).kind === 'record') target = node as RecordNode;
  // From the palette: the record of the active record document, if that is what the user looks at.
  const active = node === undefined && useActive ? vscode.window.activeTextEditor?.document.uri : undefined;
  const ref = active?.scheme === RECORD_SCHEME ? parseRecordUri(active) : undefined;
  if (!target && ref && !isNewRecordId(ref.id) && (ctx.store.findRecord(ref.database, ref.id) || ctx.recordFs.tableOf(ref.database)?.isOther)) {
    target = { kind: 'record', database: ref.database, id: ref.id };
  }
  if (!target) {
    const items = ctx.store.databases.filter(inDatabase).flatMap((e) => e.records.map((r) => ({
      label: recordTitle(r),
      description: `${e.db.name} #${r.id}`,
      detail: Object.entries(r.fields).filter(([k]) => k !== 'id').map(([k, v]) => `${k}=${shortValue(v, 20)}`).join('  '),
      node: { kind: 'record', database: e.db.name, id: r.id } as RecordNode,
    })));
    const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
    target = pick?.node;
  }
  if (!target) return undefined;
  if (ctx.recordFs.tableOf(target.database)?.isOther) {
    return { node: target, record: await (await ctx.supervisor.ready()).get(target.database, target.id) };
  }
  const record = ctx.store.findRecord(target.database, target.id);
  if (!record) throw new Error(`${target.database} #${target.id} no longer exists`);
  return { node: target, record };
}

export async function resolveConflict(ctx: CommandContext, node: unknown, placeHolder: string): Promise<Conflict | undefined> {
  let ref: { database: string; id: string } | undefined;
  if (node && typeof node === 'object' && 'conflictId' in node && 'database' in node) {
    const n = node as ConflictNode;
    ref = { database: n.database, id: n.conflictId };
  }
  if (!ref) {
    const conflicts = ctx.store.conflicts;
    if (conflicts.length === 0) {
      void vscode.window.showInformationMessage('sdndb: there are no conflicts.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(conflicts.map((c) => ({
      label: conflictLabel(c, ctx.store.database(c.database)?.db.table),
      description: `mine ${conflictSideLine(c, 'ours', 25, ctx.store.conflictLayout(c))} · theirs ${conflictSideLine(c, 'theirs', 25, ctx.store.conflictLayout(c))}`,
      detail: `base ${conflictSideLine(c, 'base', 40, ctx.store.conflictLayout(c))}${c.who ? ` · by ${c.who}` : ''}`,
      ref: { database: c.database, id: c.id },
    })), { placeHolder });
    ref = pick?.ref;
  }
  if (!ref) return undefined;
  const c = ctx.store.findConflict(ref.database, ref.id);
  if (!c) throw new Error('that conflict has already been resolved');
  return c;
}
