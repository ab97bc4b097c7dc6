// One open "sdndb table" editor: its webview (HTML with a strict Content-Security-Policy, the bundled
// grid script and styles), the messages it sends, and the state and patches it is sent.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  buildGridState, columnsChanged, DatabaseEntry, pickersChanged, Problem, diffGridRows, GridMessage, GridRequest, GridState, Logger, newRecordFields,
  recordTitle, RecordStore, SdndbError, ServerSupervisor, Strategy, titleField,
} from './client';
import { reportEditOutcome } from './editOutcome';

function nonce(): string {
  let s = '';
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

function realPath(p: string): string {
  try { return fs.realpathSync(p); } catch { return p; }
}

/** Malformed rows are not records: say where they are (they are kept in the file as they are). */
function problemsText(problems: Problem[]): string | undefined {
  if (!problems.length) return undefined;
  const shown = problems.slice(0, 5).map((p) => `line ${p.line}:${p.column}: ${p.message}`).join('\n');
  return `${problems.length} malformed row${problems.length === 1 ? '' : 's'} kept in the file as written, not shown here (see the Problems view):\n${shown}` +
    (problems.length > 5 ? '\n…' : '');
}

export class GridPanel implements vscode.Disposable {
  private readonly subs: vscode.Disposable[] = [];
  private shown: GridState | undefined;
  private ready = false;
  private table: string | undefined;
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
    return this.store.databases.find((e) => realPath(e.db.path) === this.path);
  }

  private state(): GridState {
    const e = this.entry();
    if (!e) {
      const why = this.supervisor.state !== 'running' ? `the sdndb server is ${this.supervisor.state}`
        : this.store.isLoaded ? 'this file is not one of the databases of the sdndb server (see the Records view)' : 'loading…';
      return { database: '', path: this.path, table: '', tables: [], idColumn: 'id', columns: [], rows: [], error: why };
    }
    this.table ??= e.db.table;
    return buildGridState({
      database: e.db.name, path: e.db.path, table: e.db.table, idColumn: e.db.idColumn, columns: e.db.columns,
      records: e.records, conflicts: this.store.conflictsFor(e.db.name), error: e.error ?? problemsText(e.db.problems ?? []),
    });
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
      case 'delete': return this.delete(m.id, m.version);
      case 'resolve':
        await this.store.resolveConflict(this.database, m.conflict, m.choice);
        return;
      case 'openRecord':
        await vscode.commands.executeCommand('sdndb.openRecord', { kind: 'record', database: this.database, id: m.id });
        return;
      case 'revealRecord':
        await vscode.commands.executeCommand('sdndb.revealRecord', { kind: 'record', database: this.database, id: m.id });
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
      const client = await this.supervisor.ready();
      const result = await client.edit({ database, id: m.id, changes: { [m.field]: m.value }, base: m.base, strategy: this.strategy() });
      reportEditOutcome(database, m.id, result);
      await this.store.applyEdit(database, result);
      // An "unchanged" or conflicting edit leaves the stored value: show it again.
      if (result.outcome === 'conflict' || result.outcome === 'unchanged') this.resend(m.id);
    } catch (err) {
      this.post({ type: 'editFailed', id: m.id, field: m.field, value: m.value, message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Sends a row again even if the store did not change (the webview shows an unsaved value). */
  private resend(id: string): void {
    const row = this.shown?.rows.find((r) => r.id === id);
    if (row) this.post({ type: 'patch', patch: { upsert: [row], remove: [] }, tables: this.shown!.tables });
  }

  private async add(): Promise<void> {
    const database = this.database;
    const entry = this.entry();
    const client = await this.supervisor.ready();
    const record = await client.create(database, entry ? newRecordFields(entry.db.columns, entry.records) : {});
    this.store.applyRecord(database, record);
    const field = titleField(entry?.db.columns ?? []);
    this.post({ type: 'focusRecord', id: record.id, field, edit: true });
  }

  private async delete(id: string, version: number): Promise<void> {
    const database = this.database;
    const record = this.store.findRecord(database, id);
    const yes = 'Delete';
    const choice = await vscode.window.showWarningMessage(
      `Delete ${database} #${id}${record ? ` "${recordTitle(record)}"` : ''}?`,
      { modal: true, detail: 'The row is removed from the .sdn file.' }, yes);
    if (choice !== yes) return;
    const client = await this.supervisor.ready();
    const result = await client.delete({ database, id, baseVersion: version, strategy: this.strategy() });
    if (result.outcome === 'conflict') {
      void vscode.window.showWarningMessage(`sdndb: ${database} #${id} was changed elsewhere; not deleted. See the Conflicts view.`);
      await this.store.refreshConflicts(database);
    } else {
      this.store.removeRecord(database, id);
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
