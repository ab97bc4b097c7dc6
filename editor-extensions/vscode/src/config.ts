// Reads the sdndb.* settings and turns them into a launch configuration for the server.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { expandPath, findServer, GroupBy, GROUP_BYS, LaunchConfig, Logger, Strategy, STRATEGIES } from './client';

export const SECTION = 'sdndb';

export function settings() {
  const c = vscode.workspace.getConfiguration(SECTION);
  const strategy = c.get<string>('defaultStrategy', 'merge');
  const groupBy = c.get<string>('groupBy', 'status');
  return {
    serverPath: c.get<string>('serverPath', ''),
    databaseFolder: c.get<string>('databaseFolder', ''),
    defaultStrategy: (STRATEGIES as readonly string[]).includes(strategy) ? (strategy as Strategy) : 'merge',
    groupBy: (GROUP_BYS as readonly string[]).includes(groupBy) ? (groupBy as GroupBy) : 'status',
    autoRefresh: c.get<boolean>('autoRefresh', true),
    refreshThrottleMs: Math.max(0, c.get<number>('refreshThrottleMs', 250)),
  };
}

/** Settings whose change needs a server restart. */
export const RESTART_SETTINGS = ['serverPath', 'databaseFolder', 'defaultStrategy'].map((k) => `${SECTION}.${k}`);

export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export function launchConfig(logger: Logger, version: string): LaunchConfig {
  const s = settings();
  const folders = workspaceFolderPaths();
  logger.debug(`settings: serverPath=${JSON.stringify(s.serverPath)} databaseFolder=${JSON.stringify(s.databaseFolder)} ` +
    `defaultStrategy=${s.defaultStrategy} workspace folders ${JSON.stringify(folders)}`);
  const found = findServer({ configured: s.serverPath, workspaceFolders: folders, home: os.homedir() });
  if ('error' in found) return { ok: false, reason: found.error };
  logger.info(`using sdndb binary ${found.path} (from ${found.source})`);
  const dir = s.databaseFolder.trim() ? expandPath(s.databaseFolder, folders[0], os.homedir()) : undefined;
  return {
    ok: true,
    options: {
      binary: found.path,
      dir,
      rootPath: folders[0],
      strategy: s.defaultStrategy,
      clientName: 'vscode-sdndb',
      clientVersion: version,
      logger,
      traceTraffic: true,
    },
  };
}

/** The sdndb binary the settings point to (for `sdndb check`), or undefined when there is none. */
export function serverBinary(): string | undefined {
  const found = findServer({ configured: settings().serverPath, workspaceFolders: workspaceFolderPaths(), home: os.homedir() });
  return 'error' in found ? undefined : found.path;
}
