// The table editor's webview: one Tabulator grid (virtual DOM rows) per shown table. It renders
// what the extension sends (state, then patches), and sends every user action back as a message;
// nothing is written here. Live patches wait while a cell is being edited, so an edit in progress is
// never lost, and they update rows in place, so the scroll position stays.
import { CellComponent, ColumnDefinition, TabulatorFull as Tabulator } from 'tabulator-tables';
import 'tabulator-tables/dist/css/tabulator.min.css';
import './grid.css';
import { cellMatches, CellConflict, columnsChanged, editBase, GridColumn, GridMessage, GridRequest, GridRow, GridState, GridTable } from '../client/grid';

declare function acquireVsCodeApi(): { postMessage(msg: GridRequest): void; setState(s: unknown): void; getState(): unknown };

const vscode = acquireVsCodeApi();
const post = (m: GridRequest) => vscode.postMessage(m);

/** Tabulator row data: the fields plus our own keys (names no SDN column can have). */
type RowData = Record<string, unknown> & { '#id': string; '#version': number; '#etag'?: string; '#conflicts'?: Record<string, CellConflict> };
const ID = '#id';
const ROW_HEIGHT = 24;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

const tabsBar = document.getElementById('tables')!;
const countLabel = document.getElementById('count')!;
const errorBox = document.getElementById('error')!;
const gridHost = document.getElementById('grid')!;

let table: Tabulator | undefined;
let state: GridState | undefined;
let built = false;
let queued: GridMessage[] = [];
let pendingFocus: Extract<GridMessage, { type: 'focusRecord' }> | undefined;

function toData(r: GridRow): RowData {
  return { ...r.fields, [ID]: r.id, '#version': r.version, '#etag': r.etag, '#conflicts': r.conflicts };
}

function fieldsOf(data: RowData, columns: GridColumn[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columns) out[c.field] = String(data[c.field] ?? '');
  return out;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * A cell: its text (escaped: Tabulator sets a returned string as HTML), or for a conflicted cell the
 * stored value with Keep Mine / Keep Theirs in place. The common path touches no DOM itself: this
 * runs for every cell that scrolls into view.
 */
function formatCell(cell: CellComponent): HTMLElement | string {
  const data = cell.getData() as RowData;
  const field = cell.getField();
  const conflict = data['#conflicts']?.[field];
  const value = String(cell.getValue() ?? '');
  const cellEl = cell.getElement();
  if (!conflict) {
    if (cellEl.classList.length > 1) cellEl.classList.remove('sdndb-conflict', 'sdndb-pending');
    if (cellEl.title) cellEl.removeAttribute('title');
    return escapeHtml(value);
  }
  cellEl.classList.add('sdndb-conflict');
  cellEl.classList.remove('sdndb-pending');
  const whole = conflict.field === '*';
  cellEl.title = whole
    ? `Whole-record conflict: mine ${conflict.ours}, theirs ${conflict.theirs}`
    : `Conflict: base "${conflict.base}", mine "${conflict.ours}", theirs "${conflict.theirs}"`;
  const box = el('span', { class: 'conflict-box' });
  box.append(el('span', { class: 'conflict-value' }, whole ? value : value || '""'));
  box.append(el('button', { class: 'keep', 'data-choice': 'ours', 'data-conflict': conflict.id, title: `Keep Mine: ${conflict.ours}` },
    whole ? 'Keep Mine' : `Keep Mine: ${conflict.ours || '""'}`));
  box.append(el('button', { class: 'keep', 'data-choice': 'theirs', 'data-conflict': conflict.id, title: `Keep Theirs: ${conflict.theirs}` },
    whole ? 'Keep Theirs' : `Keep Theirs: ${conflict.theirs || '""'}`));
  return box;
}

/** Each column's current picker values (they follow the data without rebuilding the grid). */
const pickers = new Map<string, string[] | undefined>();

function columnDefs(s: GridState): ColumnDefinition[] {
  for (const c of s.columns) pickers.set(c.field, c.values);
  return s.columns.map((c): ColumnDefinition => ({
    title: c.field,
    field: c.field,
    sorter: 'alphanum',
    headerFilter: 'input',
    headerFilterPlaceholder: 'filter',
    headerFilterFunc: (filter: string, value: unknown) => cellMatches(value === undefined ? '' : String(value), filter),
    editable: c.editable,
    editor: c.editable ? (c.values ? 'list' : 'input') : undefined,
    editorParams: c.values
      ? () => ({ values: pickers.get(c.field) ?? [], autocomplete: true, freetext: true, listOnEmpty: true, allowEmpty: true })
      : undefined,
    formatter: formatCell,
    frozen: !c.editable,
    width: c.width,
  }));
}

function renderTabs(tables: GridTable[], active: string): void {
  tabsBar.replaceChildren(...tables.map((t) => {
    const b = el('button', { role: 'tab', class: 'table-tab', 'aria-selected': String(t.name === active), 'data-table': t.name },
      `${t.name} (${t.count})`);
    b.addEventListener('click', () => { if (t.name !== state?.table) post({ type: 'selectTable', table: t.name }); });
    return b;
  }));
}

function updateCount(): void {
  if (!table || !state) return;
  const all = table.getDataCount();
  const shown = table.getDataCount('active');
  const noun = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
  countLabel.textContent = shown === all ? noun(all) : `${shown} of ${noun(all)}`;
}

/** The cell the keyboard is on (the active range's first cell). */
function activeCell(): CellComponent | undefined {
  const range = table?.getRanges()[0];
  // Tabulator returns rows of cells (its typings say a flat list): accept both.
  const first = (range?.getCells() as unknown as (CellComponent | CellComponent[])[] | undefined)?.[0];
  return Array.isArray(first) ? first[0] : first;
}

function activeRowData(): RowData | undefined {
  return activeCell()?.getRow().getData() as RowData | undefined;
}

function build(s: GridState): void {
  const t0 = performance.now();
  table?.destroy();
  built = false;
  table = new Tabulator(gridHost, {
    data: s.rows.map(toData),
    index: ID,
    columns: columnDefs(s),
    height: '100%',
    layout: 'fitData',
    renderVertical: 'virtual',
    rowHeight: ROW_HEIGHT, // every row the same height: the virtual renderer need not measure rows

    nestedFieldSeparator: false,
    selectableRange: 1,
    selectableRangeColumns: false,
    selectableRangeRows: false,
    editTriggerEvent: 'dblclick',
    placeholder: 'No records',
    headerSortClickElement: 'icon',
  });
  table.on('tableBuilt', () => {
    built = true;
    requestAnimationFrame(() => {
      const ms = performance.now() - t0;
      document.body.dataset.firstPaintMs = ms.toFixed(1);
      document.body.dataset.rows = String(s.rows.length);
      post({ type: 'painted', rows: s.rows.length, msgToPaintMs: ms, sinceLoadMs: performance.now() });
      updateCount();
      if (pendingFocus) focusRecord(pendingFocus);
    });
  });
  table.on('dataFiltered', () => setTimeout(updateCount, 0));
  table.on('cellEditCancelled', () => setTimeout(flush, 0));
  table.on('cellEdited', (cell: CellComponent) => {
    const value = String(cell.getValue() ?? '');
    const old = String(cell.getOldValue() ?? '');
    if (value !== old) {
      const data = cell.getRow().getData() as RowData;
      const fields = fieldsOf(data, s.columns);
      fields[cell.getField()] = old;
      cell.getElement().classList.add('sdndb-pending');
      post({ type: 'edit', id: data[ID], field: cell.getField(), value, base: editBase({ version: data['#version'], etag: data['#etag'], fields }) });
    }
    setTimeout(flush, 0);
  });
  table.on('cellClick', (e: UIEvent, cell: CellComponent) => {
    const target = e.target as HTMLElement;
    const conflict = target.closest?.('button.keep') as HTMLElement | null;
    if (conflict) {
      post({ type: 'resolve', conflict: conflict.dataset.conflict!, choice: conflict.dataset.choice as 'ours' | 'theirs' });
      e.stopPropagation();
    } else {
      void cell;
    }
  });
}

/** Applies a patch in place: rows keep their position, the view keeps its scroll offset. */
function applyPatch(m: Extract<GridMessage, { type: 'patch' }>): void {
  if (!table || !state) return;
  const { upsert, remove } = m.patch;
  const byId = new Map(state.rows.map((r) => [r.id, r]));
  for (const id of remove) byId.delete(id);
  for (const r of upsert) byId.set(r.id, r);
  state.rows = [...byId.values()];
  state.tables = m.tables;
  if (m.columns) {
    state.columns = m.columns;
    for (const c of m.columns) pickers.set(c.field, c.values);
  }
  if (remove.length) table.deleteRow(remove.filter((id) => table!.getRow(id)));
  const existing = upsert.filter((r) => table!.getRow(r.id));
  const added = upsert.filter((r) => !table!.getRow(r.id));
  if (existing.length) void table.updateData(existing.map(toData));
  if (added.length) void table.addData(added.map(toData), false);
  for (const r of existing) table.getRow(r.id)?.reformat();
  renderTabs(state.tables, state.table);
  updateCount();
}

function focusRecord(m: Extract<GridMessage, { type: 'focusRecord' }>): void {
  if (!table || !built) { pendingFocus = m; return; }
  pendingFocus = undefined;
  const row = table.getRow(m.id);
  if (!row) { pendingFocus = m; return; }
  void table.scrollToRow(m.id, 'center', false).then(() => {
    const field = m.field ?? state?.columns.find((c) => c.editable)?.field;
    const cell = field ? row.getCell(field) : undefined;
    if (cell && m.edit) cell.edit(true);
  });
}

function handle(m: GridMessage): void {
  switch (m.type) {
    case 'state': {
      const s = m.state;
      // (An empty table is built anew when rows arrive: its column widths and pickers came from no rows.)
      const same = state && table && state.rows.length > 0 && state.table === s.table && state.database === s.database && !columnsChanged(state.columns, s.columns);
      errorBox.textContent = s.error ?? '';
      errorBox.hidden = !s.error;
      if (same) {
        // Same table and columns: patch the rows the extension sent anew (keeps scroll and filters).
        const shown = new Set(state!.rows.map((r) => r.id));
        const next = new Set(s.rows.map((r) => r.id));
        applyPatch({ type: 'patch', patch: { upsert: s.rows, remove: [...shown].filter((id) => !next.has(id)) }, tables: s.tables });
        return;
      }
      state = s;
      renderTabs(s.tables, s.table);
      build(s);
      return;
    }
    case 'patch': applyPatch(m); return;
    case 'focusRecord': focusRecord(m); return;
    case 'editFailed': {
      const row = table?.getRow(m.id);
      const r = state?.rows.find((x) => x.id === m.id);
      if (row && r) void row.update({ [m.field]: r.fields[m.field] ?? '' }).then(() => row.reformat());
      return;
    }
  }
}

/** True while a cell editor is open (Tabulator marks its cell). */
function editing(): boolean {
  return !!gridHost.querySelector('.tabulator-cell.tabulator-editing');
}

/** Runs the messages that waited for an edit to finish. */
function flush(): void {
  if (editing()) return;
  const q = queued;
  queued = [];
  document.body.dataset.queued = '0';
  for (const m of q) handle(m);
}

window.addEventListener('message', (e: MessageEvent<GridMessage>) => {
  const m = e.data;
  // A patch or new state while a cell editor is open would replace the editor: wait for it.
  if (editing() && (m.type === 'patch' || m.type === 'state')) {
    queued.push(m);
    document.body.dataset.queued = String(queued.length);
    return;
  }
  handle(m);
});

document.getElementById('add')!.addEventListener('click', () => post({ type: 'add' }));
document.getElementById('delete')!.addEventListener('click', () => {
  const d = activeRowData();
  if (d) post({ type: 'delete', id: d[ID], version: d['#version'], etag: d['#etag'] });
});
document.getElementById('open')!.addEventListener('click', () => {
  const d = activeRowData();
  if (d) post({ type: 'openRecord', id: d[ID] });
});
document.getElementById('reveal')!.addEventListener('click', () => {
  const d = activeRowData();
  if (d) post({ type: 'revealRecord', id: d[ID] });
});
document.getElementById('clear-filters')!.addEventListener('click', () => {
  table?.clearHeaderFilter();
  // Tabulator replaces the filter inputs; one typed into less than its live-filter delay (300 ms) ago
  // still applies its text when that timer fires, while the new input shows nothing. Clear it again
  // then, unless something has been typed into the new inputs meanwhile.
  setTimeout(() => {
    const typed = [...gridHost.querySelectorAll<HTMLInputElement>('.tabulator-header-filter input')].some((i) => i.value !== '');
    if (!typed && table?.getHeaderFilters().length) table.clearHeaderFilter();
  }, 400);
});

// An editor can also close without an event (focus moved away): try again then.
gridHost.addEventListener('focusout', () => setTimeout(flush, 50));

// Keyboard: arrows move the active cell (Tabulator's range selection); Enter or F2 edits it.
gridHost.addEventListener('keydown', (e) => {
  // Keys typed into an editor (its Enter has just closed it) are not for us.
  if (editing() || (e.target as HTMLElement).closest?.('input, textarea, select, .tabulator-edit-list')) return;
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === 'Enter' || e.key === 'F2') {
    const cell = activeCell();
    if (cell) { cell.edit(true); e.preventDefault(); }
  }
});

post({ type: 'ready' });
