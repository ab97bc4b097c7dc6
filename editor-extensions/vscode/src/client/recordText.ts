// The text form of one record, as shown in an editable `sdndb:` document:
//
//   # sdndb record todo #3 · version 4 · modified 2025-01-01T00:00:00.000Z
//   # Edit values after the colon and save to apply. Lines starting with # are ignored.
//   id: 3
//   status: open
//   description: "  has leading blanks"
//
// A value is written bare unless it is empty-sensitive (leading/trailing blanks), has a line break,
// or starts with a double quote; then it is a JSON string. No vscode import.
import { SdnRecord } from './protocol';

export function formatValue(v: string): string {
  if (v !== v.trim() || /[\r\n\t]/.test(v) || v.startsWith('"')) return JSON.stringify(v);
  return v;
}

export function parseValue(text: string): string {
  const t = text.trim();
  if (t.startsWith('"')) {
    try {
      const v = JSON.parse(t);
      if (typeof v === 'string') return v;
    } catch { /* fall through: keep the text as typed */ }
  }
  return t;
}

/** Field names in the table's column order (then any others), the id column first. */
export function orderedFields(r: SdnRecord, idColumn = 'id', columns: string[] = []): string[] {
  const names = Object.keys(r.fields);
  const inColumns = columns.filter((c) => c !== idColumn && names.includes(c));
  const rest = names.filter((n) => n !== idColumn && !inColumns.includes(n));
  return [idColumn, ...inColumns, ...rest];
}

export function formatRecord(database: string, r: SdnRecord, idColumn = 'id', columns: string[] = []): string {
  const head = [`# sdndb record ${database} #${r.id} · version ${r.version}${r.modified ? ` · modified ${r.modified}` : ''}`,
    '# Edit values after the colon and save to apply. Lines starting with # are ignored.'];
  const body: string[] = [];
  for (const k of orderedFields(r, idColumn, columns)) {
    body.push(`${k}: ${formatValue(k === idColumn ? r.fields[k] ?? r.id : r.fields[k])}`);
  }
  return [...head, ...body, ''].join('\n');
}

export class RecordTextError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'RecordTextError';
  }
}

/** Parses the document text back into field → value. Throws RecordTextError with a 1-based line. */
export function parseRecordText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RecordTextError(`expected "field: value", got ${JSON.stringify(line)}`, i + 1);
    const key = line.slice(0, colon).trim();
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) throw new RecordTextError(`bad field name ${JSON.stringify(key)}`, i + 1);
    if (key in out) throw new RecordTextError(`field "${key}" appears twice`, i + 1);
    out[key] = parseValue(line.slice(colon + 1));
  });
  return out;
}

/**
 * The changes to send for an edited document: fields whose value differs from the base record.
 * Throws when the id is changed or a field of the base is removed (the schema is fixed).
 */
export function diffRecord(base: SdnRecord, edited: Record<string, string>, idColumn = 'id'): Record<string, string> {
  const changes: Record<string, string> = {};
  if (idColumn in edited && edited[idColumn] !== base.id) {
    throw new Error(`the ${idColumn} cannot be changed here (was ${base.id}, now ${edited[idColumn]})`);
  }
  for (const k of Object.keys(base.fields)) {
    if (!(k in edited)) throw new Error(`field "${k}" is missing; every field must stay in the document`);
  }
  for (const [k, v] of Object.entries(edited)) {
    if (k === idColumn) continue;
    if (base.fields[k] !== v) changes[k] = v;
  }
  return changes;
}
