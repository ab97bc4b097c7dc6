// One open "sdndb table" editor: its webview (HTML with a strict Content-Security-Policy, the bundled
// grid script and styles), the messages it sends, and the state and patches it is sent.
import * as vscode from 'vscode';
import {
  ApplyItem, buildGridState, columnsChanged, DatabaseEntry, EditBase, EditResult, gridTables, pickersChanged, Problem, diffGridRows, GridMessage,
  GridRequest, GridState, Logger, realPath, tableAddress, newRecordFields, recordsTableVersioned, recordTitle, RecordStore, SdndbError, SdnRecord, ServerSupervisor, Strategy, TableInfo, titleField,
} from './client';
import { reportEditOutcome } from './editOutcome';

function nonce(): string {
  let s = '';
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** Malformed rows are not records: say where they are (they are kept in the file as they are). */
function problemsText(problems: Problem[]): string | undefined {
  if (!problems.length) return undefined;
  const shown = problems.slice(0, 5).map((p) => `line ${p.line}:${p.column}: ${p.message}`).join('\n');
  return `${problems.length} malformed row${problems.length === 1 ? '' : 's'} kept in the file as written, not shown here (see the Problems view):\n${shown}` +
    (problems.length > 5 ? '\n…' : '');
}

/** The result of one item of an sdndb/apply, or its error thrown as the single method would. */
function applied<R>(item: ApplyItem<R> | undefined): R {
  if (!item) throw new Error('the server answered sdndb/apply without this item');
  if (item.status === 'error') throw new SdndbError(item.error.message, item.error.code, item.error.data);
  return item;
}

/**
 * The rows of a table other than the file's records table (the record store caches only that one):
 * listed with `{database, table}` when the tab is chosen and again whenever the file changes.
 */
interface OtherTable { database: string; info: TableInfo; records: SdnRecord[]; error?: string }

export class GridPanel implements vscode.Disposable {
  private readonly subs: vscode.Disposable[] = [];
  private shown: GridState | undefined;
  private ready = false;
  /** The tab the user chose; undefined or the records table: rows come from the record store. */
  private table: string | undefined;
  private other: OtherTable | undefined;
  private loadingOther = 0;
  private readonly path: string;

  constructor(
    readonly uri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly supervisor: ServerSupervisor,
    private readonly store: RecordStore,
    private readonly strategy: () => Strategy,
    private readonly log: Logger,
  ) {
    this.path = realPath(uri.fsPath);
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = this.html(panel.webview, dist);
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: GridRequest) => void this.onMessage(m).catch((err) => this.fail(err))),
      store.onDidUpdate(() => this.refresh()),
    );
    // sdndb/didChange names the table: a change of the other table shown (by anyone) re-lists it.
    this.subs.push(supervisor.onDidChange((p) => {
      if (this.other && p.database === this.other.database && (p.table === undefined || p.table === this.other.info.name)) {
        void this.loadOther();
      }
    }));
  }

  private html(webview: vscode.Webview, dist: vscode.Uri): string {
    const n = nonce();
    const js = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'grid.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'grid.css'));
    const csp = `default-src 'none'; style-src ${webview.cspSource}; font-src ${webview.cspSource}; ` +
      `img-src ${webview.cspSource} data:; script-src 'nonce-${n}';`;
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>sdndb table</title></head>
<body>
<div id="toolbar" role="toolbar" aria-label="Table actions">
  <div id="tables" role="tablist" aria-label="Tables of this file"></div>
  <span id="count" aria-live="polite"></span>
  <span class="spacer"></span>
  <button id="add" title="Add a record to this table">Add Record</button>
  <button id="delete" title="Delete the record of the selected cell">Delete Record</button>
  <button id="open" title="Open the record of the selected cell as a document">Open Record</button>
  <button id="reveal" title="Show the row of the selected cell in the .sdn file">Reveal in File</button>
  <button id="clear-filters">Clear Filters</button>
</div>
<div id="error" role="alert" hidden></div>
<div id="grid" tabindex="0" aria-label="Records"></div>
<script nonce="${n}" src="${js}"></script>
</body></html>`;
  }

  /** The store's entry for this file (matched by its real path). */
  private entry(): DatabaseEntry | undefined {
    return this.store.databaseOfFile(this.path);
  }

  private state(): GridState {
    const e = this.entry();
    if (!e) {
      const why = this.supervisor.state !== 'running' ? `the sdndb server is ${this.supervisor.state}`
        : this.store.isLoaded ? 'this file is not one of the databases of the sdndb server (see the Records view)' : 'loading…';
      return { database: '', path: this.path, table: '', tables: [], idColumn: 'id', columns: [], rows: [], error: why };
    }
    const other = this.otherTable(e);
    const tables = gridTables(e.db.table, e.records.length, e.db.tables, other ? { [other.info.name]: other.records.length } : {});
    const problems = (table: string) => problemsText((e.db.problems ?? []).filter((p) => !e.db.tables?.length || p.table === table || !p.table));
    if (other) {
      return buildGridState({
        database: e.db.name, path: e.db.path, table: other.info.name, tables, idColumn: other.info.idColumn, columns: other.info.columns, versioned: other.info.versioned,
        records: other.records, conflicts: this.store.conflictsFor(e.db.name).filter((c) => c.table === other.info.name),
        error: other.error ?? problems(other.info.name),
      });
    }
    return buildGridState({
      database: e.db.name, path: e.db.path, table: e.db.table, tables, idColumn: e.db.idColumn, columns: e.db.columns, versioned: recordsTableVersioned(e.db),
      records: e.records, conflicts: this.store.conflictsFor(e.db.name, undefined, e.db.table),
      error: e.error ?? problems(e.db.table),
    });
  }

  /** The other table shown, when the chosen tab is one and its rows are of this database. */
  private otherTable(e: DatabaseEntry): OtherTable | undefined {
    if (!this.table || this.table === e.db.table) return undefined;
    const info = e.db.tables?.find((t) => t.name === this.table);
    if (!info) return undefined;
    if (this.other?.database !== e.db.name || this.other.info.name !== info.name) {
      this.other = { database: e.db.name, info, records: [], error: 'loading…' };
      void this.loadOther();
    } else {
      this.other.info = info;
    }
    return this.other;
  }

  /** Lists the other table shown (again); the newest listing wins when several overlap. */
  private async loadOther(): Promise<void> {
    const target = this.other;
    if (!target) return;
    const ticket = ++this.loadingOther;
    try {
      const client = await this.supervisor.ready();
      const res = await client.list({ database: target.database, table: target.info.name });
      if (ticket !== this.loadingOther || this.other !== target) return;
      target.records = res.records;
      target.error = undefined;
    } catch (err) {
      if (ticket !== this.loadingOther || this.other !== target) return;
      target.error = `listing table ${target.info.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.refresh();
  }

  /** The table a write goes to: undefined for the records table (older servers know no other). */
  private get writeTable(): string | undefined {
    return this.other && this.table === this.other.info.name ? this.other.info.name : undefined;
  }

  /** True when the server has sdndb/apply (it reports the tables of each file). */
  private get batches(): boolean {
    return !!this.entry()?.db.tables;
  }

  /** Puts a written record in: the store's cache for the records table, else the other table's rows. */
  private putRecord(database: string, record: SdnRecord | undefined, removedId?: string): void {
    if (!this.writeTable) {
      if (record) this.store.applyRecord(database, record);
      else this.store.removeRecord(database, removedId);
      return;
    }
    const other = this.other!;
    other.records = other.records.filter((r) => r.id !== (record?.id ?? removedId));
    if (record) other.records.push(record);
    this.refresh();
  }

  private post(m: GridMessage): void {
    void this.panel.webview.postMessage(m);
  }

  /** Sends what changed since the last state or patch. */
  private refresh(): void {
    if (!this.ready) return;
    const next = this.state();
    const prev = this.shown;
    if (!prev || prev.table !== next.table || prev.database !== next.database || prev.error !== next.error ||
      columnsChanged(prev.columns, next.columns)) {
      this.shown = next;
      this.post({ type: 'state', state: next });
      return;
    }
    const patch = diffGridRows(prev.rows, next.rows);
    const columns = pickersChanged(prev.columns, next.columns) ? next.columns : undefined;
    this.shown = next;
    if (patch.upsert.length || patch.remove.length || columns || JSON.stringify(prev.tables) !== JSON.stringify(next.tables)) {
      this.post({ type: 'patch', patch, tables: next.tables, columns });
    }
  }

  /** The shown table as record documents address it (`NAME` or `NAME.TABLE`). */
  private get address(): string {
    return this.writeTable ? tableAddress(this.database, this.writeTable, '') : this.database;
  }

  private get database(): string {
    const name = this.shown?.database;
    if (!name) throw new Error('this table is not loaded yet');
    return name;
  }

  private async onMessage(m: GridRequest): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.shown = undefined;
        this.refresh();
        return;
      case 'painted':
        this.log.info(`grid ${this.shown?.database}: first paint of ${m.rows} rows ${m.msgToPaintMs.toFixed(0)} ms after the data arrived`);
        return;
      case 'edit': return this.edit(m);
      case 'add': return this.add();
      case 'delete': return this.delete(m.id, m.version, m.etag);
      case 'resolve':
        await this.store.resolveConflict(this.database, m.conflict, m.choice);
        return;
      case 'openRecord':
        await vscode.commands.executeCommand('sdndb.openRecord', { kind: 'record', database: this.address, id: m.id });
        return;
      case 'revealRecord':
        await vscode.commands.executeCommand('sdndb.revealRecord', { kind: 'record', database: this.address, id: m.id });
        return;
      case 'selectTable':
        this.table = m.table;
        this.refresh();
        return;
    }
  }

  private async edit(m: Extract<GridRequest, { type: 'edit' }>): Promise<void> {
    const database = this.database;
    try {
      const result = await this.sendEdit(database, m.id, { [m.field]: m.value }, m.base);
      reportEditOutcome(database, m.id, result);
      if (this.writeTable) {
        this.putRecord(database, Object.keys(result.record?.fields ?? {}).length ? result.record : undefined, m.id);
        if (result.outcome === 'conflict') await this.store.refreshConflicts(database);
      } else {
        await this.store.applyEdit(database, result);
      }
      // An "unchanged" or conflicting edit leaves the stored value: show it again.
      if (result.outcome === 'conflict' || result.outcome === 'unchanged') this.resend(m.id);
    } catch (err) {
      this.post({ type: 'editFailed', id: m.id, field: m.field, value: m.value, message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** One edit: sdndb/apply (the row's etag as base) when the server has it, else sdndb/edit. */
  private async sendEdit(database: string, id: string, changes: Record<string, string>, base: EditBase): Promise<EditResult> {
    const client = await this.supervisor.ready();
    if (!this.batches) return client.edit({ database, id, changes, base, strategy: this.strategy() });
    const res = await client.apply({ database, table: this.writeTable, strategy: this.strategy(), edits: [{ id, changes, base }] });
    return applied(res.edits[0]);
  }

  /** Sends a row again even if the store did not change (the webview shows an unsaved value). */
  private resend(id: string): void {
    const row = this.shown?.rows.find((r) => r.id === id);
    if (row) this.post({ type: 'patch', patch: { upsert: [row], remove: [] }, tables: this.shown!.tables });
  }

  private async add(): Promise<void> {
    const database = this.database;
    const entry = this.entry();
    const columns = this.other && this.writeTable ? this.other.info.columns : entry?.db.columns ?? [];
    const records = this.other && this.writeTable ? this.other.records : entry?.records ?? [];
    const fields = newRecordFields(columns, records);
    const client = await this.supervisor.ready();
    const record = this.batches
      ? applied((await client.apply({ database, table: this.writeTable, creates: [{ fields }] })).creates[0]).record
      : await client.create(database, fields);
    this.putRecord(database, record);
    const field = titleField(columns);
    this.post({ type: 'focusRecord', id: record.id, field, edit: true });
  }

  private async delete(id: string, version: number, etag: string | undefined): Promise<void> {
    const database = this.database;
    const record = this.writeTable ? this.other!.records.find((r) => r.id === id) : this.store.findRecord(database, id);
    const yes = 'Delete';
    const choice = await vscode.window.showWarningMessage(
      `Delete ${database} #${id}${record ? ` "${recordTitle(record)}"` : ''}?`,
      { modal: true, detail: 'The row is removed from the .sdn file.' }, yes);
    if (choice !== yes) return;
    const client = await this.supervisor.ready();
    const result = this.batches
      ? applied((await client.apply({ database, table: this.writeTable, strategy: this.strategy(),
        deletes: [etag ? { id, baseEtag: etag } : { id, baseVersion: version }] })).deletes[0])
      : await client.delete({ database, id, baseVersion: version, strategy: this.strategy() });
    if (result.outcome === 'conflict') {
      void vscode.window.showWarningMessage(`sdndb: ${database} #${id} was changed elsewhere; not deleted. See the Conflicts view.`);
      await this.store.refreshConflicts(database);
    } else {
      this.putRecord(database, undefined, id);
    }
  }

  private fail(err: unknown): void {
    const msg = err instanceof SdndbError || err instanceof Error ? err.message : String(err);
    this.log.error(`grid: ${msg}`);
    void vscode.window.showErrorMessage(`sdndb: ${msg}`);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.subs.length = 0;
  }
}
