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

/** `versioned` false: a table without version columns (no "version 0" in the header). */
export function formatRecord(database: string, r: SdnRecord, idColumn = 'id', columns: string[] = [], versioned = true): string {
  const head = [`# sdndb record ${database} #${r.id}${versioned ? ` · version ${r.version}` : ''}${r.modified ? ` · modified ${r.modified}` : ''}`,
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
  // (A row addressed by position, `@N`, has a key that is not its address.)
  const key = base.fields[idColumn] ?? base.id;
  if (idColumn in edited && edited[idColumn] !== key) {
    throw new Error(`the ${idColumn} cannot be changed here (was ${key}, now ${edited[idColumn]})`);
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

export interface TextProblem { line: number; message: string; severity: 'error' | 'warning' }

/**
 * Everything that would make saving a record document fail or surprise, by 1-based line: a line
 * that is not `field: value`, a field the table does not have or that appears twice, a changed id,
 * a removed field, a quoted value that is not a valid string (it would be saved as typed).
 */
export function validateRecordText(text: string, opts: { id: string; idColumn: string; columns: string[] }): TextProblem[] {
  const problems: TextProblem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) { problems.push({ line: n, severity: 'error', message: `expected "field: value"` }); return; }
    const key = line.slice(0, colon).trim();
    const raw = line.slice(colon + 1).trim();
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) { problems.push({ line: n, severity: 'error', message: `bad field name ${JSON.stringify(key)}` }); return; }
    if (seen.has(key)) problems.push({ line: n, severity: 'error', message: `field "${key}" appears twice (first on line ${seen.get(key)})` });
    else seen.set(key, n);
    if (opts.columns.length && !opts.columns.includes(key)) {
      problems.push({ line: n, severity: 'error', message: `the table has no field "${key}" (fields: ${opts.columns.join(', ')})` });
    }
    if (key === opts.idColumn && parseValue(raw) !== opts.id) {
      problems.push({ line: n, severity: 'error', message: `the ${opts.idColumn} cannot be changed here (it is ${opts.id})` });
    }
    if (raw.startsWith('"')) {
      let ok = false;
      try { ok = typeof JSON.parse(raw) === 'string'; } catch { ok = false; }
      if (!ok) problems.push({ line: n, severity: 'warning', message: 'this quoted value is not a complete string; it will be saved exactly as typed, quotes included' });
    }
  });
  const missing = opts.columns.filter((c) => !seen.has(c));
  if (missing.length) {
    problems.push({ line: 1, severity: 'error', message: `missing field${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: every field must stay in the document` });
  }
  return problems;
}

/** The 1-based line of `field:` in a record document (0 if absent). */
export function fieldLine(text: string, field: string): number {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => !l.trimStart().startsWith('#') && l.slice(0, Math.max(0, l.indexOf(':'))).trim() === field);
  return i + 1;
}

export interface CheckProblem { file: string; line: number; column: number; severity: 'error' | 'warning'; message: string }

/**
 * Parses the `file:line:col: [warning: ]message` texts of `sdndb check --json` (an error may carry
 * the offending line and a caret after a newline: only the first line is the message).
 */
export function parseCheckMessage(text: string): CheckProblem | undefined {
  const first = text.split('\n')[0];
  const m = /^(.*?):(\d+):(\d+): (?:(warning|error): )?(.*)$/.exec(first);
  if (!m) return undefined;
  return { file: m[1], line: Number(m[2]), column: Number(m[3]), severity: m[4] === 'warning' ? 'warning' : 'error', message: m[5] };
}

/** One file of `sdndb check --json`: a file-level `error`, or per-row `errors` (malformed rows, kept as text), and `warnings`. */
export interface CheckFileResult { file: string; ok: boolean; error?: string; errors?: string[]; warnings?: string[] }

/** Every problem of a `sdndb check --json` result, by file (files without problems map to []). */
export function checkProblems(results: CheckFileResult[]): Map<string, CheckProblem[]> {
  const out = new Map<string, CheckProblem[]>();
  for (const r of results) {
    const list: CheckProblem[] = [];
    const errors = [...(r.error ? [r.error] : []), ...(r.errors ?? [])];
    for (const text of [...errors, ...(r.warnings ?? [])]) {
      list.push(parseCheckMessage(text) ?? { file: r.file, line: 1, column: 1, severity: errors.includes(text) ? 'error' : 'warning', message: text });
    }
    // A malformed row is an error of the reader and again a warning of its table ("table 'notes': <same text>"): show it once.
    const errorAt = (p: CheckProblem) => list.some((e) => e.severity === 'error' && e.line === p.line && p.message.endsWith(e.message));
    out.set(r.file, list.filter((p) => p.severity === 'error' || !errorAt(p)));
  }
  return out;
}

/** The text of a record document that creates a record on save: every column, the id left empty (generated). */
export function formatNewRecord(database: string, columns: string[], idColumn: string, defaults: Record<string, string> = {}): string {
  const head = [`# New ${database} record: fill in the fields and save to create it (an empty ${idColumn} is generated).`,
    '# Lines starting with # are ignored.'];
  const names = [idColumn, ...columns.filter((c) => c !== idColumn)];
  return [...head, ...names.map((k) => `${k}: ${formatValue(defaults[k] ?? '')}`.trimEnd()), ''].join('\n');
}

/** The fields to create from a new record document: every field given, an empty id left out (generated). */
export function newRecordFromText(text: string, idColumn: string): Record<string, string> {
  const fields = parseRecordText(text);
  if (fields[idColumn] === '') delete fields[idColumn];
  return fields;
}
