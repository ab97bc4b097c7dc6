// Status bar item: server state and conflict count; click to act on whichever matters.
import * as vscode from 'vscode';
import { RecordStore, ServerState, ServerSupervisor } from './client';

export class SdndbStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sdndb.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly supervisor: ServerSupervisor, private readonly store: RecordStore) {
    this.item.name = 'sdndb';
    this.subs.push(supervisor.onDidChangeState(() => this.update()), store.onDidUpdate(() => this.update()));
    this.update();
    this.item.show();
  }

  private update(): void {
    const state: ServerState = this.supervisor.state;
    const n = this.store.conflicts.length;
    const item = this.item;
    item.backgroundColor = undefined;
    switch (state) {
      case 'running':
        item.text = n ? `$(warning) sdndb: ${n} conflict${n === 1 ? '' : 's'}` : '$(database) sdndb';
        item.command = n ? 'sdndb.showConflicts' : 'sdndb.showLog';
        if (n) item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'starting': item.text = '$(sync~spin) sdndb: starting'; item.command = 'sdndb.showLog'; break;
      case 'restarting': item.text = '$(sync~spin) sdndb: restarting'; item.command = 'sdndb.showLog'; break;
      case 'missing':
        item.text = '$(error) sdndb: binary missing';
        item.command = 'sdndb.openSettings';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'failed':
        item.text = '$(error) sdndb: server failed';
        item.command = 'sdndb.restartServer';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      default: item.text = '$(circle-slash) sdndb: stopped'; item.command = 'sdndb.restartServer';
    }
    const client = this.supervisor.client;
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**sdndb server**: ${state}${client?.pid ? ` (pid ${client.pid})` : ''}\n\n`);
    if (client?.initializeResult?.root) md.appendMarkdown(`root: \`${client.initializeResult.root}\`\n\n`);
    if (state === 'running') md.appendMarkdown(`${this.store.databases.length} databases, ${n} conflicts\n\n`);
    if (this.supervisor.lastError && state !== 'running') md.appendText(this.supervisor.lastError);
    item.tooltip = md;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
