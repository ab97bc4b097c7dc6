// Entry point: activate() only wires things together; the logic lives in the modules it creates.
import * as vscode from 'vscode';
import { RecordStore, serverPathChange, ServerState, ServerSupervisor } from './client';
import { registerConflictCommands } from './commands/conflictCommands';
import { registerFileCommands } from './commands/fileCommands';
import { CommandContext } from './commands/context';
import { registerRecordCommands } from './commands/recordCommands';
import { registerViewCommands } from './commands/viewCommands';
import { launchConfig, RESTART_SETTINGS, SECTION, serverBinary, settings } from './config';
import { ConflictCodeActions } from './conflictCodeActions';
import { CONFLICT_SCHEME, ConflictValueProvider } from './conflictValueProvider';
import { ConflictsTreeProvider } from './conflictsTreeProvider';
import { GRID_VIEW_TYPE, GridEditorProvider } from './gridEditorProvider';
import { ConflictsNode, RecordsNode } from './nodes';
import { RECORD_SCHEME, RecordFileSystemProvider } from './recordFileSystemProvider';
import { RecordDiagnostics } from './recordDiagnostics';
import { RecordsTreeProvider } from './recordsTreeProvider';
import { SdnFileDiagnostics } from './sdnFileDiagnostics';
import { SdnSymbolProvider } from './sdnSymbolProvider';
import { SdndbStatusBar } from './statusBar';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('sdndb', { log: true });
  const version = String(context.extension.packageJSON.version ?? '');
  const supervisor = new ServerSupervisor({ launchConfig: () => launchConfig(log, version), logger: log });
  const store = new RecordStore(supervisor, {
    logger: log,
    throttleMs: () => settings().refreshThrottleMs,
    autoRefresh: () => settings().autoRefresh,
  });
  const records = new RecordsTreeProvider(store, settings().groupBy);
  const conflicts = new ConflictsTreeProvider(store);
  const recordsView = vscode.window.createTreeView<RecordsNode>('sdndb.records', { treeDataProvider: records, showCollapseAll: true });
  const conflictsView = vscode.window.createTreeView<ConflictsNode>('sdndb.conflicts', { treeDataProvider: conflicts });
  const recordFs = new RecordFileSystemProvider(supervisor, store, () => settings().defaultStrategy, log);
  const conflictValues = new ConflictValueProvider(store);
  const grid = new GridEditorProvider(context.extensionUri, supervisor, store, () => settings().defaultStrategy, log);
  let serverPath = settings().serverPath;
  const ctx: CommandContext = { supervisor, store, records, recordsView, conflictsView, recordFs, log };

  context.subscriptions.push(
    log, supervisor, store, records, conflicts, recordsView, conflictsView, recordFs, conflictValues, grid,
    vscode.window.registerCustomEditorProvider(GRID_VIEW_TYPE, grid, {
      webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true,
    }),
    vscode.languages.registerDocumentSymbolProvider({ language: 'sdn' }, new SdnSymbolProvider()),
    new SdnFileDiagnostics(supervisor, serverBinary, log),
    new RecordDiagnostics(store, recordFs),
    vscode.languages.registerCodeActionsProvider({ scheme: RECORD_SCHEME }, new ConflictCodeActions(store, recordFs),
      { providedCodeActionKinds: ConflictCodeActions.kinds }),
    vscode.workspace.registerFileSystemProvider(RECORD_SCHEME, recordFs, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(CONFLICT_SCHEME, conflictValues),
    new SdndbStatusBar(supervisor, store),
    ...registerViewCommands(ctx),
    ...registerRecordCommands(ctx),
    ...registerConflictCommands(ctx),
    ...registerFileCommands(ctx),
    store.onDidUpdate(() => {
      const n = store.conflicts.length;
      conflictsView.badge = n ? { value: n, tooltip: `${n} sdndb conflict${n === 1 ? '' : 's'}` } : undefined;
      conflictsView.description = n ? `${n}` : undefined;
    }),
    supervisor.onDidChangeState((state) => onStateChange(state, supervisor, log)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.serverPath`)) {
        const next = settings().serverPath;
        const change = serverPathChange(serverPath, next, vscode.env.remoteName);
        serverPath = next;
        if (change.notice) {
          log.info(change.notice);
          void (change.restart ? vscode.window.showInformationMessage(change.notice) : vscode.window.showWarningMessage(change.notice));
        }
        if (change.restart) void supervisor.restart();
      } else if (RESTART_SETTINGS.some((k) => e.affectsConfiguration(k))) {
        log.info('settings changed: restarting the sdndb server');
        void supervisor.restart();
      }
      if (e.affectsConfiguration(`${SECTION}.groupBy`)) records.groupBy = settings().groupBy;
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void supervisor.restart()),
  );
  void vscode.commands.executeCommand('setContext', 'sdndb.filterActive', false);
  void vscode.commands.executeCommand('setContext', 'sdndb.serverState', supervisor.state);
  void supervisor.start();
}

function onStateChange(state: ServerState, supervisor: ServerSupervisor, log: vscode.LogOutputChannel): void {
  void vscode.commands.executeCommand('setContext', 'sdndb.serverState', state);
  log.info(`server state: ${state}`);
  if (state === 'missing') {
    showUntilStateChanges(supervisor, state,
      `sdndb: ${supervisor.lastError} Fix "sdndb.serverPath" (the sdndb view has Open Settings), then Restart Server.`);
  } else if (state === 'failed') {
    showUntilStateChanges(supervisor, state,
      `sdndb: the server keeps failing (${supervisor.lastError}). Use "sdndb: Restart Server" (status bar) after fixing the cause; the log has details.`);
  } else if (state === 'restarting') {
    void vscode.window.setStatusBarMessage(`sdndb: ${supervisor.lastError}; restarting…`, 5000);
  }
}

/**
 * A notification that closes by itself once the server leaves `state` (a plain error message would
 * stay after a successful restart). Closing it by hand dismisses it.
 */
function showUntilStateChanges(supervisor: ServerSupervisor, state: ServerState, message: string): void {
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: message, cancellable: true }, (_p, token) =>
    new Promise<void>((resolve) => {
      const sub = supervisor.onDidChangeState((s) => { if (s !== state) done(); });
      const cancel = token.onCancellationRequested(() => done());
      function done() { sub.dispose(); cancel.dispose(); resolve(); }
    }));
}

export function deactivate(): void {
  // Everything is in context.subscriptions; disposing the supervisor stops the server.
}
