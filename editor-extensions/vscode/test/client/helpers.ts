// Test helpers: the real sdndb binary, a temp copy of the example databases, the CLI.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Database, SdndbClient } from '../../src/client';

export const REPO = path.resolve(__dirname, '../../../../..');
export const BIN = process.env.SDNDB_BIN || path.join(REPO, 'build/server/sdndb');
export const EXAMPLES = path.join(REPO, 'docs/example');

export function requireBinary(): void {
  if (!existsSync(BIN)) throw new Error(`sdndb binary not found at ${BIN}: run bash .ci/build (or set SDNDB_BIN)`);
}

/** A temp folder holding copies of docs/example/*.sdn; removed by cleanup(). */
export function exampleDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdndb-vscode-test-'));
  for (const f of readdirSync(EXAMPLES)) if (f.endsWith('.sdn')) copyFileSync(path.join(EXAMPLES, f), path.join(dir, f));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cli(dir: string, ...args: string[]): string {
  return execFileSync(BIN, ['--dir', dir, ...args], { encoding: 'utf8', timeout: 20000 });
}

/**
 * A conflict recorded by the CLI alone: two edits of `field` both based on the record as it is now
 * (its etag), the second one stale.
 */
export function cliConflict(dir: string, db: string, id: string, field: string, first: string, second: string): void {
  const etag = (JSON.parse(cli(dir, 'show', db, id, '--json')) as { etag: string }).etag;
  cli(dir, 'edit', db, id, '--expect', etag, `${field}=${first}`);
  try { cli(dir, 'edit', db, id, '--expect', etag, `${field}=${second}`); } catch { /* exit 2: conflict recorded */ }
}

export function fileText(dir: string, name: string): string {
  return readFileSync(path.join(dir, name), 'utf8');
}

export async function startClient(dir: string): Promise<SdndbClient> {
  requireBinary();
  return SdndbClient.start({ binary: BIN, dir, rootPath: dir, clientName: 'node-test', startTimeoutMs: 20000 });
}

/** The database stored in `<prefix>_db.sdn`. */
export function dbFor(dbs: Database[], prefix: string): Database {
  const db = dbs.find((d) => path.basename(d.path) === `${prefix}_db.sdn`);
  if (!db) throw new Error(`no database for ${prefix}_db.sdn in ${JSON.stringify(dbs.map((d) => d.path))}`);
  return db;
}

/** Resolves with the first value `probe` returns that is not undefined, polling until timeoutMs. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
