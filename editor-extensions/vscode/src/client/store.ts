// RecordStore: the extension's cache of databases, records and conflicts, kept fresh from the server.
// Full refresh when a server (re)starts; throttled per-database refresh on `sdndb/didChange`.
// No vscode import.
import { Disposable, Emitter, Event, Logger, nullLogger } from './events';
import { compareIds } from './present';
import { Conflict, Database, SdnRecord } from './protocol';
import { ServerSupervisor } from './supervisor';
import { Throttle } from './throttle';

export interface DatabaseEntry { db: Database; records: SdnRecord[]; error?: string }

export interface StoreOptions {
  logger?: Logger;
  throttleMs?: () => number;
  autoRefresh?: () => boolean;
}

export class RecordStore implements Disposable {
  private readonly updateEmitter = new Emitter<void>();
  /** Data changed (after a reload). */
  readonly onDidUpdate: Event<void> = this.updateEmitter.event;

  private dbs = new Map<string, DatabaseEntry>();
  private _conflicts: Conflict[] = [];
  private loaded = false;
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
        this.throttle.request(this.dbs.has(p.database) ? p.database : '*');
      }),
    );
  }

  get isLoaded(): boolean { return this.loaded; }
  get databases(): DatabaseEntry[] {
    return [...this.dbs.values()].sort((a, b) => a.db.name.localeCompare(b.db.name));
  }
  database(name: string): DatabaseEntry | undefined { return this.dbs.get(name); }
  get conflicts(): Conflict[] { return this._conflicts; }
  findRecord(database: string, id: string): SdnRecord | undefined {
    return this.dbs.get(database)?.records.find((r) => r.id === id);
  }
  conflictsFor(database: string, id?: string): Conflict[] {
    return this._conflicts.filter((c) => c.database === database && (id === undefined || c.record === id));
  }

  /** Reloads everything now. */
  async refreshAll(): Promise<void> {
    this.throttle.request('*');
    await this.throttle.flush();
  }

  /** Reloads one database (and the conflict list) now. */
  async refreshDatabase(name: string): Promise<void> {
    this.throttle.request(name);
    await this.throttle.flush();
  }

  private clear(): void {
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
      const all = keys.has('*') || !this.loaded;
      const databases = await client.databases();
      const names = all ? databases.map((d) => d.name) : [...keys].filter((k) => databases.some((d) => d.name === k));
      const next = new Map(all ? [] : this.dbs);
      for (const db of databases) {
        if (!all && !names.includes(db.name)) {
          const old = this.dbs.get(db.name);
          next.set(db.name, { db, records: old?.records ?? [], error: old?.error });
        }
      }
      await Promise.all(names.map(async (name) => {
        const db = databases.find((d) => d.name === name)!;
        try {
          const res = await client.list({ database: name });
          next.set(name, { db, records: [...res.records].sort((a, b) => compareIds(a.id, b.id)) });
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          this.log.error(`listing ${name} failed: ${msg}`);
          next.set(name, { db, records: [], error: msg });
        }
      }));
      for (const name of [...next.keys()]) if (!databases.some((d) => d.name === name)) next.delete(name);
      this._conflicts = await client.conflicts();
      this.dbs = next;
      this.loaded = true;
      this.updateEmitter.fire();
    } catch (err) {
      this.log.error(`refresh failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    this.throttle.dispose();
    for (const s of this.subs) s.dispose();
    this.updateEmitter.dispose();
  }
}
