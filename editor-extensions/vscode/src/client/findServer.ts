// Where is the sdndb binary? The configured path, else build/server/sdndb in a workspace folder
// (or one of its parents: the repo may be opened at a subfolder), else `sdndb` on PATH. No vscode import.
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

export interface FoundServer { path: string; source: 'setting' | 'workspace' | 'PATH' }

export interface FindServerOptions {
  /** The sdndb.serverPath setting ("" = unset). `${workspaceFolder}` and a leading `~` are expanded. */
  configured?: string;
  workspaceFolders?: string[];
  /** PATH to search (defaults to process.env.PATH). */
  envPath?: string;
  home?: string;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function expandPath(p: string, workspaceFolder: string | undefined, home?: string): string {
  let out = p.trim();
  if (workspaceFolder) out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (home && (out === '~' || out.startsWith('~/'))) out = path.join(home, out.slice(1));
  if (!path.isAbsolute(out) && workspaceFolder) out = path.resolve(workspaceFolder, out);
  return path.isAbsolute(out) ? path.normalize(out) : out;
}

export function findServer(opts: FindServerOptions): FoundServer | { error: string } {
  const folders = opts.workspaceFolders ?? [];
  if (opts.configured && opts.configured.trim()) {
    const p = expandPath(opts.configured, folders[0], opts.home);
    if (isExecutableFile(p)) return { path: p, source: 'setting' };
    return { error: `The sdndb binary set in "sdndb.serverPath" was not found or is not executable: ${p}` };
  }
  for (const folder of folders) {
    let dir = path.resolve(folder);
    for (let i = 0; i < 4; i++) {
      const candidate = path.join(dir, 'build', 'server', 'sdndb');
      if (isExecutableFile(candidate)) return { path: candidate, source: 'workspace' };
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  const envPath = opts.envPath ?? process.env.PATH ?? '';
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'sdndb');
    if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  return {
    error: 'The sdndb binary was not found: set "sdndb.serverPath", build it (bash .ci/build → build/server/sdndb), ' +
      'or put sdndb on PATH.',
  };
}

/**
 * What to do when the settings say `sdndb.serverPath` changed. It is machine-scoped: in a remote
 * window (code-server, SSH, containers) a value in the local User settings is not used, so the event
 * fires while the value in effect stays the same. Then nothing restarts and the user is told where
 * the setting must go; otherwise the server restarts with the new binary.
 */
export function serverPathChange(before: string, after: string, remoteName: string | undefined): { restart: boolean; notice?: string } {
  if (before !== after) return { restart: true, notice: `sdndb: restarting the server with ${after || 'the default binary'}.` };
  if (!remoteName) return { restart: false };
  return {
    restart: false,
    notice: `sdndb: "sdndb.serverPath" changed in settings this remote window (${remoteName}) does not use for it (it is set per ` +
      `machine): put it in the Remote settings ("Preferences: Open Remote Settings") or the workspace settings. ` +
      `In use: ${before || 'the default (build/server/sdndb in the workspace, then PATH)'}.`,
  };
}
