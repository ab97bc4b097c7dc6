// RecordStore: the extension's cache of databases, records and conflicts, kept fresh from the server.
// Full reload when a server (re)starts or an unknown database shows up. For a known database,
// `sdndb/didChange` is applied incrementally (throttled): the changed and added ids are fetched with
// sdndb/get, removed ids dropped, and the conflicts re-read only when their count differs. Results of
// the editor's own requests (edit, create, delete, resolve) go in directly through applyRecord /
// removeRecord. No vscode import.
import { realpathSync } from 'node:fs';
import { SdndbError } from './client';
import { Disposable, Emitter, Event, Logger, nullLogger } from './events';
import { compareIds, ConflictLayout, DELETED_MARKER } from './present';
import { Conflict, Database, DidChangeParams, EditResult, ResolveChoice, SdnRecord } from './protocol';
import { ServerSupervisor } from './supervisor';
import { recordsTableVersioned } from './tableAddress';
import { Throttle } from './throttle';

export interface DatabaseEntry { db: Database; records: SdnRecord[]; error?: string }

export interface StoreOptions {
  logger?: Logger;
  throttleMs?: () => number;
  autoRefresh?: () => boolean;
}

/** What a known database's notifications asked for since its last incremental reload. */
interface PendingChange { fetch: Set<string>; removed: Set<string>; conflicts: number }

/** A database's records sorted by id, with `record` put in place of the one with its id. */
function withRecord(records: SdnRecord[], record: SdnRecord): SdnRecord[] {
  const rest = records.filter((r) => r.id !== record.id);
  const at = rest.findIndex((r) => compareIds(r.id, record.id) > 0);
  rest.splice(at < 0 ? rest.length : at, 0, record);
  return rest;
}

/** A path with its symlinks resolved (as given when it cannot be resolved). */
export function realPath(p: string): string {
  try { return realpathSync(p); } catch { return p; }
}

/** True when an edit result says the record is not stored any more. */
export function isDeletedResult(result: EditResult): boolean {
  if (!result.record || Object.keys(result.record.fields ?? {}).length === 0) return true;
  return result.conflicts.some((c) => c.field === '*' && c.theirs === DELETED_MARKER);
}

export class RecordStore implements Disposable {
  private readonly updateEmitter = new Emitter<void>();
  /** Data changed (after a reload, or a result put in). */
  readonly onDidUpdate: Event<void> = this.updateEmitter.event;

  private dbs = new Map<string, DatabaseEntry>();
  private _conflicts: Conflict[] = [];
  private loaded = false;
  private pending = new Map<string, PendingChange>();
  private readonly throttle: Throttle<string>;
  private readonly subs: Disposable[] = [];
  private readonly log: Logger;

  constructor(private readonly supervisor: ServerSupervisor, opts: StoreOptions = {}) {
    this.log = opts.logger ?? nullLogger;
    const autoRefresh = opts.autoRefresh ?? (() => true);
    this.throttle = new Throttle(opts.throttleMs ?? (() => 250), (keys) => this.reload(keys));
    this.subs.push(
      supervisor.onDidStart(() => { void this.refreshAll(); }),
      supervisor.onDidChangeState((s) => {
        if (s === 'missing' || s === 'failed' || s === 'stopped') this.clear();
      }),
      supervisor.onDidChange((p) => {
        this.log.debug(`didChange ${p.database}: changed [${p.changed}] added [${p.added}] removed [${p.removed}] conflicts ${p.conflicts}`);
        if (!autoRefresh()) return;
        // The cache holds each database's records table: another table's notification is the grid's.
        const known = this.dbs.get(p.database);
        if (p.table !== undefined && known && !known.error && p.table !== known.db.table) return;
        // A database that could not be read (malformed file) is reloaded whole once it changes:
        // its catalog entry and error must go, not only the records the notification names.
        if (this.loaded && this.dbs.has(p.database) && !this.dbs.get(p.database)!.error) {
          this.queue(p);
          this.throttle.request(p.database);
        } else {
          this.throttle.request('*');
        }
      }),
    );
  }

  get isLoaded(): boolean { return this.loaded; }
  get databases(): DatabaseEntry[] {
    return [...this.dbs.values()].sort((a, b) => a.db.name.localeCompare(b.db.name));
  }
  database(name: string): DatabaseEntry | undefined { return this.dbs.get(name); }
  get conflicts(): Conflict[] { return this._conflicts; }
  /** The database stored in a file (paths compared with their symlinks resolved). */
  databaseOfFile(file: string): DatabaseEntry | undefined {
    const real = realPath(file);
    return this.databases.find((e) => realPath(e.db.path) === real);
  }
  findRecord(database: string, id: string): SdnRecord | undefined {
    return this.dbs.get(database)?.records.find((r) => r.id === id);
  }
  /** `table`: only conflicts of that table (ids are unique per table only); a conflict without a table (older servers) matches any. */
  conflictsFor(database: string, id?: string, table?: string): Conflict[] {
    return this._conflicts.filter((c) => c.database === database && (id === undefined || c.record === id) &&
      (table === undefined || !c.table || c.table === table));
  }
  /** The layout of a conflict's table (to show a whole-record side in column order, its base as a version or not). */
  conflictLayout(c: Conflict): ConflictLayout {
    const db = this.dbs.get(c.database)?.db;
    if (!db) return {};
    if (!c.table || c.table === db.table) return { columns: db.columns, versioned: recordsTableVersioned(db) };
    const t = db.tables?.find((x) => x.name === c.table);
    return t ? { columns: t.columns, versioned: t.versioned } : {};
  }

  /** A conflict by database and id (conflict ids are unique per database only). */
  findConflict(database: string, id: string): Conflict | undefined {
    return this._conflicts.find((c) => c.database === database && c.id === id);
  }

  /** Resolves a conflict on the server, puts the resulting record in and re-reads the database's conflicts. */
  async resolveConflict(database: string, id: string, choice: ResolveChoice, value?: string): Promise<Conflict> {
    const c = this.findConflict(database, id);
    if (!c) throw new Error('that conflict has already been resolved');
    const client = await this.supervisor.ready();
    const { record } = await client.resolve({ database, conflict: id, choice, value });
    this.log.info(`resolved conflict ${id} (${database} #${c.record} ${c.field}) with ${choice}`);
    // The cache holds the records table: a row of another table (its ids may repeat here) is not put in.
    if (!c.table || c.table === this.dbs.get(database)?.db.table) {
      if (record) this.applyRecord(database, record);
      else this.removeRecord(database, c.record);
    }
    await this.refreshConflicts(database);
    return c;
  }

  /** Reloads everything now. */
  async refreshAll(): Promise<void> {
    this.throttle.request('*');
    await this.throttle.flush();
  }

  /** Puts a record the server returned (edit, create, resolve) into the cache. */
  applyRecord(database: string, record: SdnRecord): void {
    const entry = this.dbs.get(database);
    if (!entry) return;
    this.setRecords(entry, withRecord(entry.records, record));
    this.updateEmitter.fire();
  }

  /** Drops a record the server deleted. */
  removeRecord(database: string, id: string | undefined): void {
    const entry = this.dbs.get(database);
    if (id === undefined || !entry || !entry.records.some((r) => r.id === id)) return;
    this.setRecords(entry, entry.records.filter((r) => r.id !== id));
    this.updateEmitter.fire();
  }

  /**
   * Puts the record of an edit result in; re-reads the database's conflicts when it made some. A
   * result whose record is gone (deleted elsewhere: a whole-record conflict, or no fields) removes
   * it instead, so no empty "(record N)" stays behind.
   */
  async applyEdit(database: string, result: EditResult): Promise<void> {
    if (isDeletedResult(result)) this.removeRecord(database, result.record?.id ?? result.conflicts[0]?.record);
    else this.applyRecord(database, result.record);
    if (result.outcome === 'conflict') await this.refreshConflicts(database);
  }

  /** Re-reads one database's conflicts now. */
  async refreshConflicts(database: string): Promise<void> {
    const client = this.supervisor.client;
    if (!client) return;
    this.setConflicts(database, await client.conflicts(database));
    this.updateEmitter.fire();
  }

  private setRecords(entry: DatabaseEntry, records: SdnRecord[]): void {
    entry.records = records;
    entry.db = { ...entry.db, count: records.length };
  }

  private setConflicts(database: string, list: Conflict[]): void {
    this._conflicts = [...this._conflicts.filter((c) => c.database !== database), ...list]
      .sort((a, b) => a.database.localeCompare(b.database)); // stable: the server's order within a database
    const entry = this.dbs.get(database);
    if (entry) entry.db = { ...entry.db, conflicts: list.length };
  }

  /** Folds a notification into what the next incremental reload of its database does. */
  private queue(p: DidChangeParams): void {
    const q = this.pending.get(p.database) ?? { fetch: new Set<string>(), removed: new Set<string>(), conflicts: p.conflicts };
    for (const id of p.removed) { q.fetch.delete(id); q.removed.add(id); }
    for (const id of [...p.changed, ...p.added]) { q.removed.delete(id); q.fetch.add(id); }
    q.conflicts = p.conflicts;
    this.pending.set(p.database, q);
  }

  private clear(): void {
    this.pending.clear();
    if (this.dbs.size === 0 && this._conflicts.length === 0 && !this.loaded) return;
    this.dbs.clear();
    this._conflicts = [];
    this.loaded = false;
    this.updateEmitter.fire();
  }

  private async reload(keys: Set<string>): Promise<void> {
    const client = this.supervisor.client;
    if (!client) return;
    try {
      if (keys.has('*') || !this.loaded || [...keys].some((k) => !this.dbs.has(k))) {
        this.pending.clear();
        await this.reloadAll();
      } else {
        const work = [...keys].map((name) => [name, this.pending.get(name)] as const);
        for (const [name] of work) this.pending.delete(name);
        await Promise.all(work.map(([name, q]) => (q ? this.reloadChanged(name, q) : undefined)));
      }
      this.updateEmitter.fire();
    } catch (err) {
      this.log.error(`refresh failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Databases, every record and every conflict. */
  private async reloadAll(): Promise<void> {
    const client = this.supervisor.client;
    if (!client) return;
    const databases = await client.databases();
    const next = new Map<string, DatabaseEntry>();
    await Promise.all(databases.map(async (db) => {
      try {
        const res = await client.list({ database: db.name });
        next.set(db.name, { db, records: [...res.records].sort((a, b) => compareIds(a.id, b.id)) });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        this.log.error(`listing ${db.name} failed: ${msg}`);
        next.set(db.name, { db, records: [], error: msg });
      }
    }));
    this._conflicts = await client.conflicts();
    this.dbs = next;
    this.loaded = true;
  }

  /** Only what the notifications named: sdndb/get per changed or added id; conflicts if their count moved. */
  private async reloadChanged(name: string, q: PendingChange): Promise<void> {
    const client = this.supervisor.client;
    if (!client) return;
    const fetched = await Promise.all([...q.fetch].map(async (id) => {
      try {
        return { id, record: await client.get(name, id) };
      } catch (err) {
        if (err instanceof SdndbError && err.isNotFound) return { id, record: undefined };
        throw err;
      }
    }));
    const entry = this.dbs.get(name);
    if (!entry) return;
    let records = entry.records.filter((r) => !q.removed.has(r.id));
    for (const { id, record } of fetched) {
      records = record ? withRecord(records, record) : records.filter((r) => r.id !== id);
    }
    this.setRecords(entry, records);
    if (q.conflicts !== this.conflictsFor(name).length) this.setConflicts(name, await client.conflicts(name));
  }

  dispose(): void {
    this.throttle.dispose();
    for (const s of this.subs) s.dispose();
    this.updateEmitter.dispose();
  }
}
