// `sdndb-conflict:/<database>/<conflict id>/<label>.txt?<side>`: read-only text of one side of a conflict,
// for the diff editor (conflict ids are unique per database only).
import * as vscode from 'vscode';
import { RecordStore } from './client';

export const CONFLICT_SCHEME = 'sdndb-conflict';
export type Side = 'base' | 'ours' | 'theirs';

export function conflictSideUri(database: string, conflictId: string, side: Side, label: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: CONFLICT_SCHEME,
    path: `/${encodeURIComponent(database)}/${encodeURIComponent(conflictId)}/${label}.txt`,
    query: side,
  });
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
    const [, database = '', id = ''] = uri.path.split('/').map(decodeURIComponent);
    const side = uri.query as Side;
    const c = this.store.findConflict(database, id);
    if (!c) return '(this conflict has been resolved)\n';
    return `${c[side] ?? ''}\n`;
  }

  dispose(): void {
    this.sub.dispose();
    this.changeEmitter.dispose();
  }
}
