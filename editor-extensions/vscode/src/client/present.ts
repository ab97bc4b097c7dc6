// How records are shown: titles, grouping, filtering, icons, tooltips. Pure functions, no vscode import.
import { Conflict, EditResult, SdnRecord } from './protocol';

export type GroupBy = 'status' | 'area' | 'priority';
export const GROUP_BYS: readonly GroupBy[] = ['status', 'area', 'priority'];

/** Columns that may stand in for a grouping key when a table lacks it. */
const GROUP_FIELDS: Record<GroupBy, string[]> = {
  status: ['status', 'state'],
  area: ['area', 'category', 'component', 'module'],
  priority: ['priority', 'prio', 'severity'],
};

const TITLE_FIELDS = ['title', 'name', 'summary', 'description'];

/** The column used as a record's title in this table. */
export function titleField(columns: string[]): string | undefined {
  return TITLE_FIELDS.find((f) => columns.includes(f));
}

export function recordTitle(r: SdnRecord): string {
  for (const f of TITLE_FIELDS) {
    const v = r.fields[f];
    if (v !== undefined && v !== '') return v;
  }
  return `(record ${r.id})`;
}

/** The column that groups this table under `by`, or undefined if it has none. */
export function groupField(columns: string[], by: GroupBy): string | undefined {
  return GROUP_FIELDS[by].find((f) => columns.includes(f));
}

export const NO_VALUE = '(none)';

export interface Group { key: string; records: SdnRecord[] }

const STATUS_ORDER = ['open', 'todo', 'planned', 'in_progress', 'in-progress', 'active', 'blocked',
  'review', 'done', 'complete', 'completed', 'closed', 'cancelled', 'wontfix'];

function groupRank(by: GroupBy, key: string): number {
  if (by === 'status') {
    const i = STATUS_ORDER.indexOf(key.toLowerCase());
    return i < 0 ? STATUS_ORDER.length : i;
  }
  if (by === 'priority') {
    const m = /^p(\d+)$/i.exec(key);
    if (m) return Number(m[1]);
    const named = ['critical', 'high', 'medium', 'low'].indexOf(key.toLowerCase());
    if (named >= 0) return named;
  }
  return 1000;
}

/** The group a record falls in when grouped on `field` (NO_VALUE when empty or no such column). */
export function groupKey(r: SdnRecord, field: string | undefined): string {
  return (field ? r.fields[field] : '') || NO_VALUE;
}

export function groupRecords(records: SdnRecord[], columns: string[], by: GroupBy): Group[] {
  const field = groupField(columns, by);
  const map = new Map<string, SdnRecord[]>();
  for (const r of records) {
    const key = groupKey(r, field);
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(r);
  }
  return [...map.entries()]
    .map(([key, recs]) => ({ key, records: recs }))
    .sort((a, b) => groupRank(by, a.key) - groupRank(by, b.key) || (a.key === NO_VALUE ? 1 : 0) - (b.key === NO_VALUE ? 1 : 0) || a.key.localeCompare(b.key));
}

/** Case-insensitive: every word of the filter must appear in the id or some field value (or `field:value`). */
export function matchesFilter(r: SdnRecord, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const values = [r.id, ...Object.values(r.fields)].map((v) => v.toLowerCase());
  return words.every((w) => {
    const colon = w.indexOf(':');
    if (colon > 0) {
      const field = w.slice(0, colon);
      const want = w.slice(colon + 1);
      const entry = Object.entries(r.fields).find(([k]) => k.toLowerCase() === field);
      if (entry) return entry[1].toLowerCase().includes(want);
    }
    return values.some((v) => v.includes(w));
  });
}

export function compareIds(a: string, b: string): number {
  const na = Number(a), nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && a.trim() !== '' && b.trim() !== '') return na - nb;
  return a.localeCompare(b, undefined, { numeric: true });
}

/** A codicon name for a status value. */
export function statusIcon(status: string | undefined): string {
  switch ((status ?? '').toLowerCase()) {
    case 'closed': case 'done': case 'complete': case 'completed': return 'pass-filled';
    case 'blocked': return 'error';
    case 'in_progress': case 'in-progress': case 'active': return 'sync';
    case 'planned': case 'todo': return 'circle-large-outline';
    case 'cancelled': case 'wontfix': return 'circle-slash';
    case 'open': return 'circle-outline';
    default: return 'symbol-field';
  }
}

/** A short secondary line for a record: priority and area/category when present. */
export function recordDescription(r: SdnRecord, exclude: string | undefined): string {
  const parts: string[] = [];
  for (const f of ['priority', 'area', 'category', 'status']) {
    if (f === exclude) continue;
    const v = r.fields[f];
    if (v) parts.push(v);
  }
  return parts.join(' · ');
}

/** Markdown table of every field, used as the tree item's tooltip (`versioned` false: no version row). */
export function recordTooltipMarkdown(database: string, r: SdnRecord, versioned = true): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`**${esc(database)} #${esc(r.id)}** — ${esc(recordTitle(r))}`, '', '| field | value |', '|---|---|'];
  for (const [k, v] of Object.entries(r.fields)) lines.push(`| ${esc(k)} | ${esc(v) || '""'} |`);
  if (versioned) lines.push(`| version | ${r.version} |`);
  if (r.modified) lines.push(`| modified | ${esc(r.modified)} |`);
  return lines.join('\n');
}

/** `todo #3 · status`; a conflict in another table of the file than `recordsTable` names it: `bug.notes #@7 · note`. */
export function conflictLabel(c: Conflict, recordsTable?: string): string {
  const where = c.table && recordsTable && c.table !== recordsTable ? `${c.database}.${c.table}` : c.database;
  return `${where} #${c.record} · ${c.field === '*' ? 'whole record' : c.field}`;
}

/** What to tell the user after an edit that merged or conflicted (undefined: nothing to say). */
export function editOutcomeMessage(database: string, id: string, result: EditResult): { text: string; warning: boolean } | undefined {
  if (result.outcome === 'merged') {
    return { warning: false, text: `sdndb: ${database} #${id} was also changed elsewhere; the changes were merged${result.record.version > 0 ? ` (version ${result.record.version})` : ''}.` };
  }
  if (result.outcome !== 'conflict') return undefined;
  const whole = result.conflicts.find((c) => c.field === '*');
  if (whole && whole.theirs === DELETED_MARKER) {
    return { warning: true, text: `sdndb: ${database} #${id} was deleted elsewhere. Your edit is kept as a conflict: ` +
      'Keep Mine restores the record with your changes, Keep Theirs leaves it deleted.' };
  }
  if (whole) {
    return { warning: true, text: `sdndb: ${database} #${id} was changed elsewhere as a whole; resolve the conflict in the Conflicts view.` };
  }
  const fields = [...new Set(result.conflicts.map((c) => c.field))].join(', ');
  return { warning: true, text: `sdndb: ${database} #${id}: ${fields} was changed elsewhere too. The stored value was kept; ` +
    'resolve the conflict in the Conflicts view.' };
}

/** The path of one side of a conflict as a read-only document: unique per conflict occurrence (ids repeat across databases and after resolving). */
export function conflictSidePath(c: Conflict, label: string): string {
  const field = c.field === '*' ? 'record' : c.field;
  const when = (c.when || '').replace(/[^0-9A-Za-z]/g, '');
  const clean = (s: string) => s.replace(/[\\/]/g, '_');
  return `/${encodeURIComponent(c.database)}/${encodeURIComponent(c.id)}-${when}/${clean(`${c.database} #${c.record} ${field} (${label})`)}.txt`;
}

/** Values offered for a field: those the table already uses; the common scale only when it has none. */
export function fieldValueChoices(used: Iterable<string>, common: string[]): string[] {
  const seen = [...new Set([...used].filter((v) => v !== ''))];
  const values = seen.length ? seen : common;
  return [...values].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** One line, shortened, for showing a value inline. */
/** The stored side of a conflict on a record that no longer exists. */
export const DELETED_MARKER = '<deleted>';

/** How a conflict's table lays out a record: its columns (to order fields), whether it has version columns. */
export interface ConflictLayout { columns?: string[]; versioned?: boolean }

/**
 * One side of a conflict as a person reads it (`layout`: its table's). A field's side is its value; a whole-record ("*")
 * side is the record as `field: value` lines in column order (its JSON text from older servers parsed), `(deleted)`
 * for the side that deleted it, and the base is the version the edit started from (none for a table without versions).
 */
export function conflictSideText(c: Conflict, side: 'base' | 'ours' | 'theirs', layout: ConflictLayout = {}): string {
  const text = c[side];
  if (side === 'base' && c.baseKnown === false) return '(unknown)';
  if (c.field !== '*') return text;
  if (side === 'base' && layout.versioned === false && /^\d+$/.test(text)) return '(no version: the table has no version columns)';
  if (side === 'base') return /^\d+$/.test(text) ? `version ${text}` : text || '(none)';
  const columns = layout.columns ?? [];
  if (c.deletedBy === side || text === DELETED_MARKER) return '(deleted)';
  let fields = side === 'ours' ? c.oursFields : c.theirsFields;
  if (!fields) {
    try { fields = JSON.parse(text) as Record<string, string>; } catch { return text; }
  }
  // In the table's column order (the server sends them sorted by name), then any others.
  const names = Object.keys(fields ?? {});
  const ordered = [...columns.filter((k) => names.includes(k)), ...names.filter((k) => !columns.includes(k))];
  return ordered.map((k) => `${k}: ${fields![k]}`).join('\n');
}

/** A conflict side on one line, cut to `max` characters (tree descriptions, pickers, buttons). */
export function conflictSideLine(c: Conflict, side: 'base' | 'ours' | 'theirs', max = 40, layout: ConflictLayout = {}): string {
  return shortValue(conflictSideText(c, side, layout).replace(/\n/g, ' · '), max);
}

export function shortValue(v: string, max = 40): string {
  const one = v.replace(/\s+/g, ' ');
  if (one === '') return '""';
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The fields a new record starts with: the table's first "open"-like status when it uses one. */
export function newRecordFields(columns: string[], records: SdnRecord[]): Record<string, string> {
  const fields: Record<string, string> = {};
  const status = groupField(columns, 'status');
  if (status) {
    const used = new Set(records.map((r) => r.fields[status]));
    const first = ['open', 'planned', 'todo'].find((s) => used.has(s));
    if (first) fields[status] = first;
  }
  return fields;
}

/** "1 record", "2 records". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The tab label of a record document: `todo #1 — title` (no slashes, at most ~60 characters). */
export function recordDocumentLabel(database: string, id: string, title?: string): string {
  const clean = (title ?? '').replace(/[\\/\r\n\t]+/g, ' ').replace(/\s+/g, ' ').trim();
  const head = `${database} #${id}`;
  if (!clean || clean === `(record ${id})`) return head;
  const short = clean.length > 48 ? `${clean.slice(0, 47)}…` : clean;
  return `${head} — ${short}`;
}
