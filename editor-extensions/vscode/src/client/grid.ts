// The table editor's data model: what the grid webview shows for one table of a database file, and
// the patch that takes a shown table to a newer one (so live updates touch only the rows that
// changed and keep the user's scroll position and an edit in progress). Pure functions, no vscode
// import: the webview bundles this module too.
import { ConflictLayout, conflictSideLine, conflictSideText } from './present';
import { Conflict, EditBase, SdnRecord, TableInfo } from './protocol';

/** A column of the grid. `values`: the choices offered by the cell editor (columns with few distinct values). */
export interface GridColumn { field: string; values?: string[]; editable: boolean; width: number }

/** The conflict shown in a cell (`field` is "*" for a whole-record conflict, shown on the id cell). */
export interface CellConflict { id: string; field: string; base: string; ours: string; theirs: string }

/** One record as a grid row. */
export interface GridRow {
  id: string;
  version: number;
  /** The row's etag (servers with table addressing): the base of edits and deletes. */
  etag?: string;
  line: number;
  fields: Record<string, string>;
  /** Field (the id column for "*") → its conflict. */
  conflicts?: Record<string, CellConflict>;
}

export interface GridTable { name: string; count: number }

export interface GridState {
  database: string;
  path: string;
  table: string;
  /** Every table of the file (one entry until the server reports several). */
  tables: GridTable[];
  idColumn: string;
  columns: GridColumn[];
  rows: GridRow[];
  error?: string;
}

export interface GridPatch { upsert: GridRow[]; remove: string[] }

/** Offer a value list when a column holds at most this many distinct values... */
export const PICKER_MAX_VALUES = 12;

/**
 * The choices offered for a column: its distinct non-empty values, when there are few of them and
 * they repeat (a free-text column of a small table would otherwise look like an enum). Sorted
 * naturally (P0 < P1 < P10).
 */
export function pickerValues(records: SdnRecord[], field: string, max = PICKER_MAX_VALUES): string[] | undefined {
  const seen = new Set<string>();
  let filled = 0;
  for (const r of records) {
    const v = r.fields[field];
    if (v === undefined || v === '') continue;
    filled++;
    seen.add(v);
    if (seen.size > max) return undefined;
  }
  if (seen.size === 0 || seen.size * 2 > filled) return undefined;
  return [...seen].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/**
 * A column's width in pixels, from its longest value among the first rows (the grid renders only the
 * rows in view, so it cannot measure the others): about 7 px a character, 60..420 px.
 */
export function columnWidth(records: SdnRecord[], field: string, sample = 2000): number {
  let longest = field.length + 2; // the header and its sort icon
  for (let i = 0; i < records.length && i < sample; i++) longest = Math.max(longest, (records[i].fields[field] ?? '').length);
  return Math.max(60, Math.min(420, Math.round(longest * 7.2 + 20)));
}

/** File order: rows by line, records appended by a transaction (line 0) last in id order. */
function fileOrder(a: SdnRecord, b: SdnRecord): number {
  if (a.line && b.line) return a.line - b.line;
  if (a.line !== b.line) return a.line ? -1 : 1;
  return 0;
}

export function gridRow(r: SdnRecord, conflicts: Conflict[], idColumn: string, layout: ConflictLayout = {}): GridRow {
  const row: GridRow = { id: r.id, version: r.version, line: r.line, fields: r.fields };
  if (r.etag) row.etag = r.etag;
  for (const c of conflicts) {
    if (c.record !== r.id) continue;
    const field = c.field === '*' ? idColumn : c.field;
    row.conflicts ??= {};
    // (A whole-record conflict shows its sides on one line: the record's fields, or "(deleted)".)
    row.conflicts[field] = c.field === '*'
      ? { id: c.id, field: c.field, base: conflictSideLine(c, 'base', 40, layout), ours: conflictSideLine(c, 'ours', 40, layout), theirs: conflictSideLine(c, 'theirs', 40, layout) }
      : { id: c.id, field: c.field, base: conflictSideText(c, 'base'), ours: c.ours, theirs: c.theirs };
  }
  return row;
}

export interface GridSource {
  database: string;
  path: string;
  table: string;
  tables?: GridTable[];
  idColumn: string;
  columns: string[];
  /** False for a table without version columns. */
  versioned?: boolean;
  records: SdnRecord[];
  conflicts: Conflict[];
  error?: string;
}

export function buildGridState(src: GridSource): GridState {
  const records = [...src.records].sort(fileOrder);
  const columns = src.columns.length ? src.columns : Object.keys(records[0]?.fields ?? {});
  return {
    database: src.database,
    path: src.path,
    table: src.table,
    tables: src.tables ?? [{ name: src.table, count: records.length }],
    idColumn: src.idColumn,
    columns: columns.map((field) => ({
      field,
      editable: field !== src.idColumn,
      values: field === src.idColumn ? undefined : pickerValues(records, field),
      width: columnWidth(records, field),
    })),
    rows: records.map((r) => gridRow(r, src.conflicts, src.idColumn, { columns: src.columns, versioned: src.versioned })),
    error: src.error,
  };
}

/** A cheap identity of what a row shows: equal signatures need no redraw. */
export function rowSignature(r: GridRow): string {
  return JSON.stringify([r.version, r.etag ?? null, r.line, r.fields, r.conflicts ?? null]);
}

/** Rows to add or replace and ids to remove to go from `shown` to `next`. */
export function diffGridRows(shown: GridRow[], next: GridRow[]): GridPatch {
  const before = new Map(shown.map((r) => [r.id, rowSignature(r)]));
  const upsert = next.filter((r) => before.get(r.id) !== rowSignature(r));
  const keep = new Set(next.map((r) => r.id));
  const remove = shown.filter((r) => !keep.has(r.id)).map((r) => r.id);
  return { upsert, remove };
}

/**
 * True when the columns' layout (names, order, editability) differs: the grid must be rebuilt. A
 * change of a column's picker values or width alone is sent with the next patch (a rebuild would
 * lose the user's scroll position).
 */
export function columnsChanged(a: GridColumn[], b: GridColumn[]): boolean {
  const layout = (cs: GridColumn[]) => JSON.stringify(cs.map((c) => [c.field, c.editable]));
  return layout(a) !== layout(b);
}

/** True when some column's picker values differ. */
export function pickersChanged(a: GridColumn[], b: GridColumn[]): boolean {
  return JSON.stringify(a.map((c) => c.values ?? null)) !== JSON.stringify(b.map((c) => c.values ?? null));
}

/**
 * The base of a write: the etag when the server gave one (it also catches a change made by a tool
 * that does not keep versions), else the version.
 */
export function editBase(r: { version: number; etag?: string; fields: Record<string, string> }): EditBase {
  return r.etag ? { etag: r.etag, fields: r.fields } : { version: r.version, fields: r.fields };
}

/**
 * The tab bar of a file: every table the server reports (the records table first), with its count;
 * `shownCounts` overrides counts of tables whose rows are loaded. One entry for an older server.
 */
export function gridTables(recordsTable: string, recordCount: number, tables: TableInfo[] | undefined,
  shownCounts: Record<string, number> = {}): GridTable[] {
  if (!tables?.length) return [{ name: recordsTable, count: recordCount }];
  const ordered = [...tables.filter((t) => t.name === recordsTable), ...tables.filter((t) => t.name !== recordsTable)];
  return ordered.map((t) => ({
    name: t.name,
    count: t.name === recordsTable ? recordCount : shownCounts[t.name] ?? t.count,
  }));
}

/** Case-insensitive substring match used by the column filters. */
export function cellMatches(value: string | undefined, filter: string): boolean {
  if (!filter) return true;
  return (value ?? '').toLowerCase().includes(filter.toLowerCase());
}

/** Messages from the grid webview to the extension. */
export type GridRequest =
  | { type: 'ready' }
  | { type: 'edit'; id: string; field: string; value: string; base: EditBase }
  | { type: 'add' }
  | { type: 'delete'; id: string; version: number; etag?: string }
  | { type: 'resolve'; conflict: string; choice: 'ours' | 'theirs' }
  | { type: 'openRecord'; id: string }
  | { type: 'revealRecord'; id: string }
  | { type: 'selectTable'; table: string }
  | { type: 'painted'; rows: number; msgToPaintMs: number; sinceLoadMs: number };

/** Messages from the extension to the grid webview. */
export type GridMessage =
  | { type: 'state'; state: GridState }
  | { type: 'patch'; patch: GridPatch; tables: GridTable[]; columns?: GridColumn[] }
  | { type: 'focusRecord'; id: string; field?: string; edit?: boolean }
  | { type: 'editFailed'; id: string; field: string; value: string; message: string };
