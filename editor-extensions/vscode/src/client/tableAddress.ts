// How record documents and commands name a table of a database file: `todo` is its records table
// (the one the RecordStore caches), `bug.test_cases` another table of bug_db.sdn — the protocol's
// NAME.TABLE addressing, so the same string is the `database` parameter of sdndb/get and sdndb/edit.
// No vscode import.
import type { Database, SdnRecord } from './protocol';
import type { DatabaseEntry } from './store';

export interface TableTarget {
  /** The database (file) the table is in. */
  entry: DatabaseEntry;
  table: string;
  /** True for a table other than the file's records table. */
  isOther: boolean;
  columns: string[];
  idColumn: string;
  /** False for a table without version columns (its records' version is always 0). */
  versioned: boolean;
}

/** `database` for its records table (or no table), else `database.table`. */
export function tableAddress(database: string, table: string | undefined, recordsTable: string): string {
  return !table || table === recordsTable ? database : `${database}.${table}`;
}

/** Whether a file's records table has version columns (older servers list no tables: theirs have). */
export function recordsTableVersioned(db: Database): boolean {
  return db.tables?.find((t) => t.name === db.table)?.versioned ?? true;
}

/** The table an address names, or undefined when no database (or no table of it) has that name. */
export function resolveTableAddress(database: (name: string) => DatabaseEntry | undefined, address: string): TableTarget | undefined {
  const whole = database(address);
  if (whole) {
    return {
      entry: whole, table: whole.db.table, isOther: false, columns: whole.db.columns, idColumn: whole.db.idColumn,
      versioned: recordsTableVersioned(whole.db),
    };
  }
  const dot = address.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const entry = database(address.slice(0, dot));
  const info = entry?.db.tables?.find((t) => t.name === address.slice(dot + 1));
  if (!entry || !info) return undefined;
  return { entry, table: info.name, isOther: info.name !== entry.db.table, columns: info.columns, idColumn: info.idColumn, versioned: info.versioned };
}

/** What a record document is read from: the record and how its table lays it out. */
export interface RecordDocumentSource { record: SdnRecord; idColumn: string; columns: string[]; versioned: boolean }

/**
 * Reads the record a document shows (`address` as in tableAddress, `id` a key or `@N`) with its table's
 * layout: from the cached databases, else from the server's listing — a record document restored at
 * startup is read before the RecordStore has loaded, and must not be laid out as an `id`-keyed table
 * (a keyless row would show its address as an `id` field). Throws the client's errors (NotFound...).
 */
export async function readRecordDocument(
  client: { databases(): Promise<Database[]>; get(database: string, id: string): Promise<SdnRecord> },
  cached: (name: string) => DatabaseEntry | undefined, address: string, id: string,
): Promise<RecordDocumentSource> {
  const [record, table] = await Promise.all([
    client.get(address, id),
    (async () => {
      const known = resolveTableAddress(cached, address);
      if (known) return known;
      const listed = new Map((await client.databases()).map((db) => [db.name, { db, records: [] }]));
      return resolveTableAddress((name) => listed.get(name), address);
    })(),
  ]);
  return { record, idColumn: table?.idColumn ?? 'id', columns: table?.columns ?? [], versioned: table?.versioned ?? true };
}
