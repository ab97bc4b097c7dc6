// "sdndb table": a custom editor for `*_db.sdn` files showing a table as a grid (one row per record,
// one column per field). Read-only as a document: every change goes to the server at once (edit
// with the row's base, create, delete, resolve), and the grid follows the record store.
import * as vscode from 'vscode';
import { Logger, RecordStore, ServerSupervisor, Strategy } from './client';
import { GridPanel } from './gridPanel';

export const GRID_VIEW_TYPE = 'sdndb.grid';

export class GridEditorProvider implements vscode.CustomReadonlyEditorProvider, vscode.Disposable {
  private readonly panels = new Set<GridPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly supervisor: ServerSupervisor,
    private readonly store: RecordStore,
    private readonly strategy: () => Strategy,
    private readonly log: Logger,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const grid = new GridPanel(document.uri, panel, this.extensionUri, this.supervisor, this.store, this.strategy, this.log);
    this.panels.add(grid);
    panel.onDidDispose(() => { this.panels.delete(grid); grid.dispose(); });
  }

  /** The open grid of a database file, if any (for commands that act on "the grid"). */
  panelFor(uri: vscode.Uri): GridPanel | undefined {
    return [...this.panels].find((p) => p.uri.toString() === uri.toString());
  }

  dispose(): void {
    for (const p of this.panels) p.dispose();
    this.panels.clear();
  }
}
