// Types and method names of sdndb's JSON-RPC protocol (docs/protocol.md). No vscode import.

export type Strategy = 'error' | 'last-write-wins' | 'last-modified-wins' | 'merge';
export const STRATEGIES: readonly Strategy[] = ['merge', 'error', 'last-write-wins', 'last-modified-wins'];

export interface SdnRecord {
  id: string;
  version: number;
  /** ISO-8601 UTC with ms, "" if never modified. */
  modified: string;
  /** Every column except version/modified, as text. */
  fields: Record<string, string>;
  /** 1-based line of the row in the file. */
  line: number;
  /** Hash of the row's decoded values (servers with table addressing); the base of a write. */
  etag?: string;
}

export interface Conflict {
  id: string;
  database: string;
  record: string;
  /** "*" = the whole record. */
  field: string;
  base: string;
  ours: string;
  theirs: string;
  who: string;
  when: string;
  /** The record's table (servers with table addressing). */
  table?: string;
  /** False when no base was known (a CLI edit naming only its changes, a record both git branches added): `base` is then "". */
  baseKnown?: boolean;
  /** Whole-record conflicts ("*"): each side's fields, null for a side that deleted the record. */
  oursFields?: Record<string, string> | null;
  theirsFields?: Record<string, string> | null;
  deletedBy?: 'ours' | 'theirs' | null;
}

/** A malformed row or block the server kept as text (it is not a record). */
export interface Problem { table: string; line: number; column: number; message: string }

/** One table of a database file (servers with table addressing). */
export interface TableInfo {
  name: string;
  columns: string[];
  idColumn: string;
  count: number;
  versioned: boolean;
  /** What `database` alone addresses. */
  default: boolean;
}

export interface Database {
  /** Every table of the file (servers with table addressing); absent from older servers. */
  tables?: TableInfo[];
  /** Present when some rows or blocks of the file are malformed. */
  problems?: Problem[];
  name: string;
  path: string;
  table: string;
  columns: string[];
  idColumn: string;
  count: number;
  conflicts: number;
  strategy: Strategy;
}

export interface InitializeParams {
  rootPath?: string;
  rootUri?: string;
  clientInfo?: { name: string; version?: string };
  capabilities?: { window?: { workDoneProgress?: boolean } };
  initializationOptions?: { strategy?: Strategy };
}

export interface InitializeResult {
  serverInfo: { name: string; version: string };
  capabilities: { databases?: boolean; conflicts?: boolean; didChange?: boolean; strategies?: Strategy[] };
  root: string;
}

export interface ListParams {
  database: string;
  table?: string;
  where?: Record<string, string>;
  sort?: string;
  descending?: boolean;
  offset?: number;
  limit?: number;
}
export interface ListResult { records: SdnRecord[]; total: number }

/** The record as the editor loaded it: `etag` when the server gave one, else `version`. */
export interface EditBase { version?: number; etag?: string; fields: Record<string, string> }

export interface EditParams {
  database: string;
  table?: string;
  id: string;
  changes: Record<string, string>;
  base?: EditBase;
  strategy?: Strategy;
}
export type EditOutcome = 'applied' | 'merged' | 'conflict' | 'unchanged';
export interface EditResult { outcome: EditOutcome; record: SdnRecord; conflicts: Conflict[] }

export interface DeleteParams { database: string; table?: string; id: string; baseVersion?: number; baseEtag?: string; strategy?: Strategy }
export interface DeleteResult { outcome: 'deleted' | 'conflict'; conflicts: Conflict[] }

/** sdndb/apply: edits, deletes and creates of one table in one transaction (one lock, one write). */
export interface ApplyParams {
  database: string;
  table?: string;
  strategy?: Strategy;
  edits?: { id: string; changes: Record<string, string>; base?: EditBase; strategy?: Strategy }[];
  creates?: { fields: Record<string, string> }[];
  deletes?: { id: string; baseVersion?: number; baseEtag?: string; strategy?: Strategy }[];
}
/** One item's outcome: the single method's result, or the error it would have returned. */
export type ApplyItem<R> = ({ status: 'ok' } & R) | { status: 'error'; error: { code: number; message: string; data?: unknown } };
export interface ApplyResult {
  edits: ApplyItem<EditResult>[];
  creates: ApplyItem<{ record: SdnRecord }>[];
  deletes: ApplyItem<DeleteResult>[];
}

export type ResolveChoice = 'ours' | 'theirs' | 'value';
export interface ResolveParams { database?: string; conflict: string; choice: ResolveChoice; value?: string }
export interface ResolveResult { record: SdnRecord | null }

export interface DidChangeParams {
  database: string;
  /** The table whose ids these are (absent from servers before table addressing: the records table). */
  table?: string;
  changed: string[];
  added: string[];
  removed: string[];
  conflicts: number;
}

export interface LogMessageParams { type: 1 | 2 | 3 | 4; message: string }

export const Methods = {
  initialize: 'initialize',
  initialized: 'initialized',
  shutdown: 'shutdown',
  exit: 'exit',
  databases: 'sdndb/databases',
  list: 'sdndb/list',
  get: 'sdndb/get',
  create: 'sdndb/create',
  edit: 'sdndb/edit',
  delete: 'sdndb/delete',
  apply: 'sdndb/apply',
  conflicts: 'sdndb/conflicts',
  resolve: 'sdndb/resolve',
  didChange: 'sdndb/didChange',
  logMessage: 'window/logMessage',
} as const;

export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerNotInitialized: -32002,
  RequestCancelled: -32800,
  Conflict: -32010,
  LockTimeout: -32011,
  NotFound: -32012,
  Validation: -32013,
  IoError: -32014,
  Malformed: -32015,
  OutsideWorkspace: -32016,
} as const;
