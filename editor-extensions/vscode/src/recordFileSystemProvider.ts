// `sdndb:/<database>/<id>/<database #id — title>.sdnrec`: one record as an editable text document. Saving sends
// `sdndb/edit` with the version the document's text was read from as the base, so the server merges
// with changes made elsewhere instead of overwriting them. `<database>` is a table address: `bug` for
// the file's records table, `bug.test_cases` for another table (ids may be positions, `@N`).
//
// The base is the record handed to VS Code in readFile, never a later fetch: a document with unsaved
// edits keeps its base (and stat keeps reporting it, so VS Code does not raise "file is newer" and
// the merge happens on the server). Documents without unsaved edits are re-read when the record
// changes elsewhere, and after every save (to show what was really stored).
import * as vscode from 'vscode';
import {
  diffRecord, editBase, EditResult, formatNewRecord, formatRecord, Logger, newRecordFields, newRecordFromText, parseRecordText, readRecordDocument, recordDocumentLabel,
  RecordDocumentSource, RecordStore, resolveTableAddress, SdndbError, ServerSupervisor, Strategy, TableTarget,
} from './client';
import { reportEditOutcome } from './editOutcome';

export const RECORD_SCHEME = 'sdndb';

interface Loaded extends RecordDocumentSource { stamp: number }

export function parseRecordUri(uri: vscode.Uri): { database: string; id: string } | undefined {
  // `/<database>/<id>/<label>.sdnrec`; `/<database>/<id>.sdnrec` from older versions (restored tabs).
  const m = /^\/([^/]+)\/([^/]+)\/[^/]*\.sdnrec$/.exec(uri.path) ?? /^\/([^/]+)\/([^/]+)\.sdnrec$/.exec(uri.path);
  if (!m) return undefined;
  return { database: decodeURIComponent(m[1]), id: decodeURIComponent(m[2]) };
}

/** The document of a record; its tab is named `todo #1 — title` (the label is ignored when parsing). */
export function recordUriFor(database: string, id: string, title?: string): vscode.Uri {
  const label = recordDocumentLabel(database, id, title);
  return vscode.Uri.from({
    scheme: RECORD_SCHEME,
    path: `/${encodeURIComponent(database)}/${encodeURIComponent(id)}/${label}.sdnrec`, // (a Uri's path is unencoded)
  });
}

/** A document that creates a record of `database` when saved (`/<database>/+new<n>/New <database> record.sdnrec`). */
let newCounter = 0;
export function newRecordUri(database: string): vscode.Uri {
  newCounter++;
  return vscode.Uri.from({
    scheme: RECORD_SCHEME,
    path: `/${encodeURIComponent(database)}/+new${newCounter}/New ${database.replace(/\//g, ' ')} record.sdnrec`,
  });
}

export function isNewRecordId(id: string): boolean {
  return /^\+new\d+$/.test(id);
}

/** True when both URIs name the same record (whatever their labels). */
export function sameRecord(a: vscode.Uri, database: string, id: string): boolean {
  const ref = parseRecordUri(a);
  return !!ref && ref.database === database && ref.id === id;
}

export class RecordFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  /** The record each document's text was read from: its edit base. */
  private readonly base = new Map<string, Loaded>();
  /** Fetched by stat for the readFile that follows (so both report the same version). */
  private readonly prefetched = new Map<string, Loaded>();
  /** Documents whose record changed since their base was read. */
  private readonly stale = new Set<string>();
  /** Bumped on every reload request so VS Code sees a new mtime even for the same version. */
  private readonly stamps = new Map<string, number>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly encoder = new TextEncoder();
  /** New-record documents already saved (→ the id created), so a second save does not create twice. */
  private readonly created = new Map<string, string>();

  constructor(
    private readonly supervisor: ServerSupervisor,
    private readonly store: RecordStore,
    private readonly strategy: () => Strategy,
    private readonly log: Logger,
  ) {
    this.subs.push(
      // Added too: a record restored by Keep Mine after a delete comes back as "added". A notification
      // names one table of the file (ids repeat across tables); without `table` (older servers) the records table.
      supervisor.onDidChange((p) => {
        const ids = new Set([...p.changed, ...p.added, ...p.removed]);
        for (const key of [...this.base.keys()]) {
          const uri = vscode.Uri.parse(key);
          const ref = parseRecordUri(uri);
          const table = ref && this.tableOf(ref.database);
          if (!ref || !table || table.entry.db.name !== p.database || !ids.has(ref.id)) continue;
          if (p.table === undefined ? !table.isOther : p.table === table.table) this.reload(uri);
        }
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.uri.scheme === RECORD_SCHEME) this.reload(doc.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== RECORD_SCHEME) return;
        const key = doc.uri.toString();
        this.base.delete(key);
        this.prefetched.delete(key);
        this.stale.delete(key);
      }),
    );
  }

  /** The table a record document's `<database>` names (undefined until the databases are loaded). */
  tableOf(address: string): TableTarget | undefined {
    return resolveTableAddress((name) => this.store.database(name), address);
  }

  /** The key (id column value) of the record an open document was read from: for `@N` rows it is not the id. */
  keyOf(uri: vscode.Uri): string | undefined {
    const l = this.base.get(uri.toString());
    return l ? l.record.fields[l.idColumn] ?? l.record.id : undefined;
  }

  /**
   * Takes an edit result of a record document's table in: the store caches the records table; a row
   * of another table of the file is not cached, so only the database's conflicts are re-read (if it made some).
   */
  applyEdit(address: string, result: EditResult): Promise<void> {
    const table = this.tableOf(address);
    if (!table?.isOther) return this.store.applyEdit(table?.entry.db.name ?? address, result);
    return result.outcome === 'conflict' ? this.store.refreshConflicts(table.entry.db.name) : Promise.resolve();
  }

  private isDirty(key: string): boolean {
    return vscode.workspace.textDocuments.some((d) => d.uri.toString() === key && d.isDirty);
  }

  /** Marks the document stale and, unless it has unsaved edits (which will merge on save), lets VS Code re-read it. */
  reload(uri: vscode.Uri): void {
    const key = uri.toString();
    this.stale.add(key);
    const dirty = this.isDirty(key);
    this.log.debug(`record document ${uri.path}: changed on the server${dirty ? ' (has unsaved edits: will merge on save)' : ', re-reading'}`);
    if (dirty) return;
    this.stamps.set(key, (this.stamps.get(key) ?? 0) + 1);
    this.changeEmitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  private async fetch(uri: vscode.Uri): Promise<Loaded> {
    const ref = parseRecordUri(uri);
    if (!ref) throw vscode.FileSystemError.FileNotFound(uri);
    const client = await this.supervisor.ready().catch((e: Error) => { throw vscode.FileSystemError.Unavailable(e.message); });
    try {
      const source = await readRecordDocument(client, (name) => this.store.database(name), ref.database, ref.id);
      return { ...source, stamp: this.stamps.get(uri.toString()) ?? 0 };
    } catch (err) {
      if (err instanceof SdndbError && err.isNotFound) throw vscode.FileSystemError.FileNotFound(uri);
      throw err;
    }
  }

  private text(uri: vscode.Uri, l: Loaded): string {
    return formatRecord(parseRecordUri(uri)!.database, l.record, l.idColumn, l.columns, l.versioned);
  }

  /** The text of a new-record document (all columns, defaults filled in). */
  private newRecordText(uri: vscode.Uri): string {
    const ref = parseRecordUri(uri)!;
    const entry = this.store.database(ref.database);
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return formatNewRecord(ref.database, entry.db.columns, entry.db.idColumn, newRecordFields(entry.db.columns, entry.records));
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const key = uri.toString();
    const ref = parseRecordUri(uri);
    if (ref && isNewRecordId(ref.id)) {
      return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: this.encoder.encode(this.newRecordText(uri)).byteLength };
    }
    let l = this.base.get(key);
    if (!l || (this.stale.has(key) && !this.isDirty(key))) {
      l = await this.fetch(uri);
      this.prefetched.set(key, l);
    }
    // The version (plus the reload stamp) drives VS Code's "changed on disk" logic.
    this.log.debug(`stat ${uri.path}: version ${l.record.version} stamp ${l.stamp}${l === this.base.get(key) ? ' (base)' : ' (fetched)'}`);
    return { type: vscode.FileType.File, ctime: 0, mtime: l.record.version * 1000 + l.stamp, size: this.encoder.encode(this.text(uri, l)).byteLength };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const key = uri.toString();
    const ref = parseRecordUri(uri);
    if (ref && isNewRecordId(ref.id)) return this.encoder.encode(this.newRecordText(uri));
    const l = this.prefetched.get(key) ?? (await this.fetch(uri));
    this.prefetched.delete(key);
    this.stale.delete(key);
    this.base.set(key, l);
    this.log.debug(`read ${uri.path}: version ${l.record.version} stamp ${l.stamp}`);
    return this.encoder.encode(this.text(uri, l));
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    // Errors are plain Errors: VS Code shows their message as it is ("Failed to save '…': <message>"),
    // where a FileSystemError would be labelled with its code (e.g. "NoPermissions").
    const ref = parseRecordUri(uri);
    if (!ref) throw new Error('not an sdndb record document');
    if (isNewRecordId(ref.id)) return this.create(uri, ref.database, content);
    const key = uri.toString();
    const base = this.base.get(key);
    if (!base) {
      if (options.create) throw new Error('use "sdndb: Add Record…" to create records');
      throw new Error('this record document was not read from the server; reopen it');
    }
    let changes: Record<string, string>;
    try {
      changes = diffRecord(base.record, parseRecordText(new TextDecoder().decode(content)), base.idColumn);
    } catch (err) {
      throw new Error(`not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.log.debug(`save ${uri.path}: base version ${base.record.version}, changes ${JSON.stringify(changes)}`);
    if (Object.keys(changes).length === 0) return;
    // The store caches the records table only; a conflict elsewhere in the file is still one of its database.
    const table = this.tableOf(ref.database);
    const name = table?.entry.db.name ?? ref.database;
    const client = await this.supervisor.ready();
    try {
      const result = await client.edit({
        database: ref.database, id: ref.id, changes,
        base: editBase(base.record),
        strategy: this.strategy(),
      });
      // Until VS Code re-reads it (after the save), the document's base is what is now stored.
      this.base.set(key, { ...base, record: result.record });
      reportEditOutcome(ref.database, ref.id, result);
      this.applyEdit(ref.database, result).catch((e: Error) => this.log.error(`reading the conflicts of ${name}: ${e.message}`));
    } catch (err) {
      if (err instanceof SdndbError && err.isConflict && /^@\d+$/.test(ref.id)) {
        throw new Error(`${ref.database} #${ref.id}: the row at that position was changed or moved elsewhere (rows without a unique key ` +
          'are written only with their etag, whatever the strategy). Copy your text, reopen the record and apply it again.');
      }
      if (err instanceof SdndbError && err.isConflict) {
        const fields = (err.data as { fields?: string[] } | undefined)?.fields ?? [];
        throw new Error(
          `${ref.database} #${ref.id} was changed elsewhere (${fields.join(', ') || 'same fields'}); ` +
          'your edit was refused by the "error" strategy. Copy your text, reopen the record and apply it again.');
      }
      if (err instanceof SdndbError && err.isNotFound) {
        if (!table?.isOther) this.store.removeRecord(name, ref.id);
        throw new Error(`${ref.database} #${ref.id} was deleted elsewhere; your edit was not saved (copy it into a new record if you need it).`);
      }
      throw err instanceof Error ? new Error(err.message) : err;
    }
  }

  /** Saves a new-record document: creates the record, then swaps the document for the record's own. */
  private async create(uri: vscode.Uri, database: string, content: Uint8Array): Promise<void> {
    const entry = this.store.database(database);
    if (!entry) throw new Error(`no database ${database}`);
    if (this.created.has(uri.toString())) throw new Error(`already created as ${database} #${this.created.get(uri.toString())}`);
    let fields: Record<string, string>;
    try {
      fields = newRecordFromText(new TextDecoder().decode(content), entry.db.idColumn);
    } catch (err) {
      throw new Error(`not created: ${err instanceof Error ? err.message : String(err)}`);
    }
    const client = await this.supervisor.ready();
    const record = await client.create(database, fields);
    this.created.set(uri.toString(), record.id);
    this.store.applyRecord(database, record);
    this.log.info(`created ${database} #${record.id} from a new-record document`);
    // After VS Code has finished this save: close the new-record tab, open the record's document.
    setTimeout(() => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
      void vscode.window.tabGroups.close(tabs).then(() =>
        vscode.commands.executeCommand('sdndb.openRecord', { kind: 'record', database, id: record.id }));
    }, 50);
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
