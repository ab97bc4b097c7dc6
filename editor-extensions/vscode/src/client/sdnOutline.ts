// A line-level outline of an SDN text: its named tables (header line, columns, row lines with their
// cells) and its other top-level keys. For document symbols, "Open Record at Cursor" and the
// grammar's tests; it does not validate (the server's parser does, with file:line:col errors).
// No vscode import.
import { titleField } from './present';

export interface OutlineRow { line: number; cells: string[] }
export interface OutlineTable { name: string; line: number; column: number; columns: string[]; rows: OutlineRow[]; endLine: number }
export interface OutlineKey { name: string; line: number; column: number }
export interface SdnOutline { tables: OutlineTable[]; keys: OutlineKey[] }

const HEADER = /^([ \t]*)([A-Za-z_][\w./#-]*)[ \t]*\|([^|]*)\|[ \t]*(.*)$/;
const KEY = /^([A-Za-z_][\w./#-]*)[ \t]*[:=]/;

function indentOf(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n++;
    else if (ch === '\t') n += 4;
    else break;
  }
  return n;
}

const isBlankOrComment = (line: string) => line.trim() === '' || line.trimStart().startsWith('#');

/** Splits a row into its cells: commas outside double quotes; quotes removed, `\\"`-style escapes and doubled quotes decoded. */
export function splitCells(text: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false; // the current cell was a quoted string (text after it is ignored)
  let inQuote = false;
  const end = () => { cells.push(quoted ? cur : cur.trim()); cur = ''; quoted = false; };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote) {
      if (ch === '\\' && i + 1 < text.length) {
        const n = text[++i];
        cur += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '"' || n === '\\' ? n : `\\${n}`;
      } else if (ch === '"' && text[i + 1] === '"') { cur += '"'; i++; } // CSV-style doubled quote (docs/sdn.md)
      else if (ch === '"') inQuote = false;
      else cur += ch;
    } else if (ch === ',') end();
    else if (ch === '#' && (cur === '' || /\s$/.test(cur) || quoted)) { break; } // a comment runs to the end of the line
    else if (ch === '"' && !quoted && cur.trim() === '') { inQuote = true; quoted = true; cur = ''; }
    else if (!quoted) cur += ch;
  }
  end();
  return cells;
}

export function sdnOutline(text: string): SdnOutline {
  const lines = text.split(/\r?\n/);
  const out: SdnOutline = { tables: [], keys: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = HEADER.exec(line);
    if (m && !line.trimStart().startsWith('#')) {
      const headerIndent = indentOf(line);
      const t: OutlineTable = {
        name: m[2], line: i + 1, column: m[1].length + 1,
        columns: m[3].split(',').map((c) => c.trim()).filter(Boolean), rows: [], endLine: i + 1,
      };
      if (m[4].trim() && !m[4].trim().startsWith('#')) t.rows.push({ line: i + 1, cells: splitCells(m[4]) }); // short form
      let j = i + 1;
      for (; j < lines.length; j++) {
        const row = lines[j];
        if (isBlankOrComment(row)) continue;
        if (indentOf(row) <= headerIndent) break;
        t.rows.push({ line: j + 1, cells: splitCells(row.trim()) });
        t.endLine = j + 1;
      }
      out.tables.push(t);
      i = t.endLine - 1;
      continue;
    }
    const k = KEY.exec(line);
    if (k) out.keys.push({ name: k[1], line: i + 1, column: 1 });
  }
  return out;
}

/** `@N` with N ≥ 1 (at most 18 digits), as the server reads a position. */
function isPositionRef(key: string): boolean {
  return /^@\d{1,18}$/.test(key) && /[1-9]/.test(key);
}

/**
 * The address the server gives each row of a table (docs/protocol.md "Addressing"): its key (the
 * `id` column, else the first) when it is not empty, no other row has it and it does not read as a
 * position, else `@N`, its 1-based position. A row whose cell count differs from the header's is
 * malformed: the server keeps it as text and does not count it (undefined here).
 */
export function rowAddresses(t: OutlineTable): (string | undefined)[] {
  const idAt = Math.max(0, t.columns.indexOf('id'));
  const wellFormed = (r: OutlineRow) => r.cells.length === t.columns.length;
  const counts = new Map<string, number>();
  for (const r of t.rows) if (wellFormed(r)) counts.set(r.cells[idAt], (counts.get(r.cells[idAt]) ?? 0) + 1);
  let position = 0;
  return t.rows.map((r) => {
    if (!wellFormed(r)) return undefined;
    position++;
    const key = r.cells[idAt];
    return key !== '' && counts.get(key) === 1 && !isPositionRef(key) ? key : `@${position}`;
  });
}

/**
 * A row's outline label: `#key title` (the title column, else the other cells), `@N …` for a row
 * addressed by position, `(malformed row) …` for one the server does not read as a record.
 */
export function recordSymbolLabel(t: OutlineTable, r: OutlineRow, address: string | undefined): string {
  const title = titleField(t.columns);
  const positional = address === undefined || address.startsWith('@');
  const idAt = Math.max(0, t.columns.indexOf('id'));
  // A keyed row's key is its label already; a positional row shows every cell (its key is not unique).
  const rest = title ? r.cells[t.columns.indexOf(title)] ?? '' : r.cells.filter((_, i) => positional || i !== idAt).join(', ');
  const head = address === undefined ? '(malformed row)' : positional ? address : `#${address}`;
  const text = rest.length > 60 ? `${rest.slice(0, 59)}…` : rest;
  return text ? `${head} ${text}` : head;
}

/** The table and row at a 1-based line (the row is undefined on the header or a blank line). */
export function rowAt(outline: SdnOutline, line: number): { table: OutlineTable; row?: OutlineRow } | undefined {
  const table = outline.tables.find((t) => line >= t.line && line <= t.endLine);
  if (!table) return undefined;
  return { table, row: table.rows.find((r) => r.line === line) };
}
