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
}

/** A malformed row or block the server kept as text (it is not a record). */
export interface Problem { table: string; line: number; column: number; message: string }

export interface Database {
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
  where?: Record<string, string>;
  sort?: string;
  descending?: boolean;
  offset?: number;
  limit?: number;
}
export interface ListResult { records: SdnRecord[]; total: number }

export interface EditParams {
  database: string;
  id: string;
  changes: Record<string, string>;
  base?: { version: number; fields: Record<string, string> };
  strategy?: Strategy;
}
export type EditOutcome = 'applied' | 'merged' | 'conflict' | 'unchanged';
export interface EditResult { outcome: EditOutcome; record: SdnRecord; conflicts: Conflict[] }

export interface DeleteParams { database: string; id: string; baseVersion?: number; strategy?: Strategy }
export interface DeleteResult { outcome: 'deleted' | 'conflict'; conflicts: Conflict[] }

export type ResolveChoice = 'ours' | 'theirs' | 'value';
export interface ResolveParams { database?: string; conflict: string; choice: ResolveChoice; value?: string }
export interface ResolveResult { record: SdnRecord | null }

export interface DidChangeParams {
  database: string;
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
