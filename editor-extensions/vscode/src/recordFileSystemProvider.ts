// `sdndb:/<database>/<id>.sdnrec`: one record as an editable text document. Saving sends
// `sdndb/edit` with the version the document was loaded from as the base, so the server merges
// with changes made elsewhere instead of overwriting them.
import * as vscode from 'vscode';
import {
  diffRecord, formatRecord, parseRecordText, RecordStore, SdndbError, SdnRecord, ServerSupervisor, Strategy,
} from './client';
import { reportEditOutcome } from './editOutcome';

export const RECORD_SCHEME = 'sdndb';

interface Loaded { record: SdnRecord; idColumn: string; columns: string[]; stamp: number }

export function parseRecordUri(uri: vscode.Uri): { database: string; id: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)\.sdnrec$/.exec(uri.path);
  if (!m) return undefined;
  return { database: decodeURIComponent(m[1]), id: decodeURIComponent(m[2]) };
}

export function recordUriFor(database: string, id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RECORD_SCHEME, path: `/${encodeURIComponent(database)}/${encodeURIComponent(id)}.sdnrec` });
}

export class RecordFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  /** What each open document was loaded from (its edit base). */
  private readonly loaded = new Map<string, Loaded>();
  private stamps = new Map<string, number>();
  private readonly reloadAfterSave = new Set<string>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly supervisor: ServerSupervisor,
    private readonly store: RecordStore,
    private readonly strategy: () => Strategy,
  ) {
    this.subs.push(
      store.onDidReceiveChange((p) => {
        for (const id of [...p.changed, ...p.removed]) this.externalChange(p.database, id);
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.uri.scheme === RECORD_SCHEME && this.reloadAfterSave.delete(doc.uri.toString())) this.reload(doc.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === RECORD_SCHEME) this.loaded.delete(doc.uri.toString());
      }),
    );
  }

  /** The record changed elsewhere: reload documents that have no unsaved edits. */
  private externalChange(database: string, id: string): void {
    const uri = recordUriFor(database, id);
    const key = uri.toString();
    if (!this.loaded.has(key)) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (doc?.isDirty) return; // keep the base: saving will merge
    this.reload(uri);
  }

  /** Forget the base and tell VS Code the content changed, so it reads it again. */
  reload(uri: vscode.Uri): void {
    const key = uri.toString();
    this.loaded.delete(key);
    this.stamps.set(key, (this.stamps.get(key) ?? 0) + 1);
    this.changeEmitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  private async load(uri: vscode.Uri): Promise<Loaded> {
    const key = uri.toString();
    const have = this.loaded.get(key);
    if (have) return have;
    const ref = parseRecordUri(uri);
    if (!ref) throw vscode.FileSystemError.FileNotFound(uri);
    const client = await this.supervisor.ready().catch((e: Error) => { throw vscode.FileSystemError.Unavailable(e.message); });
    try {
      const record = await client.get(ref.database, ref.id);
      const db = this.store.database(ref.database)?.db;
      const entry = { record, idColumn: db?.idColumn ?? 'id', columns: db?.columns ?? [], stamp: this.stamps.get(key) ?? 0 };
      this.loaded.set(key, entry);
      return entry;
    } catch (err) {
      if (err instanceof SdndbError && err.isNotFound) throw vscode.FileSystemError.FileNotFound(uri);
      throw err;
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { record, stamp, idColumn, columns } = await this.load(uri);
    const ref = parseRecordUri(uri)!;
    return {
      type: vscode.FileType.File,
      ctime: 0,
      // The version (plus a reload stamp) drives VS Code's "changed on disk" logic: it stays put while
      // a document holds unsaved edits, so a save goes to the server and is merged there.
      mtime: record.version * 1000 + stamp,
      size: this.encoder.encode(formatRecord(ref.database, record, idColumn, columns)).byteLength,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { record, idColumn, columns } = await this.load(uri);
    return this.encoder.encode(formatRecord(parseRecordUri(uri)!.database, record, idColumn, columns));
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    const ref = parseRecordUri(uri);
    if (!ref) throw vscode.FileSystemError.NoPermissions('not an sdndb record');
    if (options.create && !this.loaded.has(uri.toString()) && !this.store.findRecord(ref.database, ref.id)) {
      throw vscode.FileSystemError.NoPermissions('use "sdndb: Add Record…" to create records');
    }
    const base = await this.load(uri);
    let changes: Record<string, string>;
    try {
      changes = diffRecord(base.record, parseRecordText(new TextDecoder().decode(content)), base.idColumn);
    } catch (err) {
      throw vscode.FileSystemError.NoPermissions(`not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (Object.keys(changes).length === 0) return;
    const client = await this.supervisor.ready();
    try {
      const result = await client.edit({
        database: ref.database, id: ref.id, changes,
        base: { version: base.record.version, fields: base.record.fields },
        strategy: this.strategy(),
      });
      this.loaded.set(uri.toString(), { ...base, record: result.record });
      reportEditOutcome(ref.database, ref.id, result);
      // The stored record can differ from what was typed (merged fields, a conflict that kept the stored
      // value, a new version in the header): show what is really stored once VS Code finished the save.
      this.reloadAfterSave.add(uri.toString());
      void this.store.refreshDatabase(ref.database);
    } catch (err) {
      if (err instanceof SdndbError && err.isConflict) {
        const fields = (err.data as { fields?: string[] } | undefined)?.fields ?? [];
        throw vscode.FileSystemError.Unavailable(
          `${ref.database} #${ref.id} was changed elsewhere (${fields.join(', ') || 'same fields'}); ` +
          'your edit was refused by the "error" strategy. Copy your text, reopen the record and apply it again.');
      }
      throw err instanceof Error ? vscode.FileSystemError.Unavailable(err.message) : err;
    }
  }

  watch(): vscode.Disposable { return new vscode.Disposable(() => undefined); }
  readDirectory(): [string, vscode.FileType][] { return []; }
  createDirectory(): void { throw vscode.FileSystemError.NoPermissions('not supported'); }
  delete(): void { throw vscode.FileSystemError.NoPermissions('use "sdndb: Delete Record"'); }
  rename(): void { throw vscode.FileSystemError.NoPermissions('not supported'); }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changeEmitter.dispose();
  }
}
