// What the end-to-end test and the grid benchmark share: a fresh code-server profile with the
// packaged extension installed, code-server on a free port, and headless Debian Chromium driving it
// through playwright-core. Everything lives in one temp folder (kept out of $HOME and /tmp).
//
// Env: CS_BIN (code-server; default: installed into the cache by scripts/install-code-server.sh),
//      SDNDB_BIN (default build/server/sdndb), VSIX (default dist/sdndb-vscode.vsix),
//      CHROMIUM (default /usr/bin/chromium), CS_VERBOSE=1 (echo code-server output), KEEP_RUN=1.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EXT = resolve(HERE, '../..');
export const REPO = resolve(EXT, '../..');
export const SDNDB = resolve(process.env.SDNDB_BIN || join(REPO, 'build/server/sdndb'));
export const VSIX = resolve(process.env.VSIX || join(EXT, 'dist/sdndb-vscode.vsix'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function poll(what, probe, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function codeServerBin() {
  if (process.env.CS_BIN) return process.env.CS_BIN;
  const cache = process.env.SDNDB_E2E_CACHE || join(homedir(), '.cache/sdndb-vscode-e2e');
  return execFileSync('bash', [join(EXT, 'scripts/install-code-server.sh'), cache], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/**
 * Prepares a run folder: `workspace/` (filled by the caller), a profile with quiet settings and
 * `sdndb.serverPath` in the machine settings (it is machine-overridable: in a remote window such as
 * code-server it belongs there, not in the browser-side user settings).
 */
export function prepareRun(prefix, userSettings = {}) {
  for (const [what, p] of [['sdndb binary', SDNDB], ['.vsix', VSIX], ['chromium', CHROMIUM]]) {
    if (!existsSync(p)) { console.error(`${prefix}: ${what} not found at ${p}`); process.exit(1); }
  }
  const RUN = realpathSync(mkdtempSync(join(tmpdir(), `${prefix}-`)));
  const WS = join(RUN, 'workspace');
  for (const d of [WS, join(RUN, 'user-data/User'), join(RUN, 'user-data/Machine'), join(RUN, 'extensions'), join(RUN, 'tmp')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(RUN, 'config.yaml'), 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\ndisable-telemetry: true\ndisable-update-check: true\n');
  writeFileSync(join(RUN, 'user-data/User/settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'git.enabled': false,
    'editor.minimap.enabled': false,
    'workbench.editor.enablePreview': false,
    ...userSettings,
  }, null, 2));
  writeFileSync(join(RUN, 'user-data/Machine/settings.json'), JSON.stringify({ 'sdndb.serverPath': SDNDB }, null, 2));
  return { RUN, WS };
}

/**
 * Installs the .vsix, starts code-server and Chromium. Returns the page and a stop() that ends both
 * (and copies VS Code's logs to `logsTo` when given).
 */
export async function startVSCode(RUN, { onLog = () => {} } = {}) {
  const CS = codeServerBin();
  // Keep code-server and chromium out of $HOME and /tmp.
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(RUN, 'xdg/config'), XDG_DATA_HOME: join(RUN, 'xdg/data'), XDG_CACHE_HOME: join(RUN, 'xdg/cache'),
    TMPDIR: join(RUN, 'tmp'),
    EXTENSIONS_GALLERY: '{}', // no marketplace requests
  };
  const csArgs = ['--config', join(RUN, 'config.yaml'), '--user-data-dir', join(RUN, 'user-data'), '--extensions-dir', join(RUN, 'extensions')];
  const out = execFileSync(CS, [...csArgs, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 120000 });
  if (!/successfully installed/.test(out)) throw new Error(out);

  const port = await freePort();
  const BASE = `http://127.0.0.1:${port}`;
  const server = spawn(CS, [...csArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened',
    '--log', 'trace'],
  { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [server.stdout, server.stderr]) s.on('data', (d) => { onLog(String(d)); if (process.env.CS_VERBOSE) process.stdout.write(`[cs] ${d}`); });
  const stopServer = () => { if (server.exitCode === null) { try { process.kill(-server.pid, 'SIGTERM'); } catch {} } };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopServer(); process.exit(130); });
  await poll('code-server /healthz', async () => (await fetch(`${BASE}/healthz`)).ok, 60000);

  const ctx = await chromium.launchPersistentContext(join(RUN, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => onLog(`[pageerror] ${e.message}\n`));
  // Console errors of the workbench and the webviews (a Content-Security-Policy violation shows up here).
  page.on('console', (m) => { if (m.type() === 'error') onLog(`[console.error] ${m.text()}\n`); });
  // Resources that failed to load, with their address (a console error does not name it).
  ctx.on('response', (r) => { if (r.status() >= 400) onLog(`[http ${r.status()}] ${r.url()}\n`); });

  async function stop(logsTo) {
    await ctx.close().catch(() => {});
    stopServer();
    try {
      const logs = join(RUN, 'user-data/logs');
      if (logsTo && existsSync(logs)) cpSync(logs, logsTo, { recursive: true });
    } catch {}
    if (!process.env.KEEP_RUN) rmSync(RUN, { recursive: true, force: true });
  }
  return { page, BASE, stop };
}

/** Opens a folder in the workbench and waits for the Explorer to list `marker` (a file in it). */
export async function openFolder(page, BASE, folder, marker) {
  await page.goto(`${BASE}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.getByRole('treeitem', { name: marker }).waitFor({ timeout: 60000 });
}

/** The webview of the visible "sdndb table" editor (VS Code nests it in two iframes). */
export function gridFrame(page) {
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
}

/** Evaluates `fn(arg)` inside the visible grid webview. */
export async function gridEval(page, fn, arg) {
  const outer = await page.locator('iframe.webview.ready >> visible=true').elementHandle();
  const inner = await (await outer.contentFrame()).locator('iframe#active-frame').elementHandle();
  return (await inner.contentFrame()).evaluate(fn, arg);
}
