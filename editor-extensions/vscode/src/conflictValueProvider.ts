// `sdndb-conflict:/<database>/<conflict id>-<when>/<database #record field (side)>.txt?<side>`: read-only
// text of one side of a conflict, for the diff editor. Conflict ids are unique per database only and
// are used again after a resolve, so the path also holds when the conflict arose: a new conflict
// never reuses the tab (and title) of an old one.
import * as vscode from 'vscode';
import { Conflict, conflictSidePath, conflictSideText, RecordStore } from './client';

export const CONFLICT_SCHEME = 'sdndb-conflict';
export type Side = 'base' | 'ours' | 'theirs';

export function conflictSideUri(c: Conflict, side: Side, label: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CONFLICT_SCHEME, path: conflictSidePath(c, label), query: side });
}

export class ConflictValueProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: RecordStore) {
    // Open sides follow the store (a resolved conflict says so; a re-read one shows its new values).
    this.sub = store.onDidUpdate(() => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === CONFLICT_SCHEME) this.changeEmitter.fire(doc.uri);
      }
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, database = '', idWhen = ''] = uri.path.split('/').map(decodeURIComponent);
    const id = idWhen.slice(0, idWhen.lastIndexOf('-'));
    const side = uri.query as Side;
    const c = this.store.findConflict(database, id);
    if (!c) return '(this conflict has been resolved)\n';
    return `${conflictSideText(c, side, this.store.conflictLayout(c))}\n`;
  }

  dispose(): void {
    this.sub.dispose();
    this.changeEmitter.dispose();
  }
}
