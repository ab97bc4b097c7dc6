// The client module against the real `sdndb serve`: list, get, create, edit, conflict, resolve,
// delete, didChange, errors. Each test works on its own copy of docs/example.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DidChangeParams, ErrorCodes, SdndbClient, SdndbError } from '../../src/client';
import { cli, dbFor, exampleDir, fileText, startClient, waitFor } from './helpers';

describe('SdndbClient against sdndb serve', () => {
  let dir: string;
  let cleanup: () => void;
  let client: SdndbClient;
  let todo: string;
  const changes: DidChangeParams[] = [];

  before(async () => {
    ({ dir, cleanup } = exampleDir());
    client = await startClient(dir);
    client.onDidChange((p) => changes.push(p));
    todo = dbFor(await client.databases(), 'todo').name;
  });
  after(async () => {
    const info = await client?.stop();
    assert.equal(info?.code, 0, 'server exits with 0 after shutdown + exit');
    cleanup?.();
  });

  it('initializes with server info and capabilities', () => {
    const r = client.initializeResult!;
    assert.equal(r.serverInfo.name, 'sdndb');
    assert.ok(r.capabilities.didChange);
    assert.ok(r.root, 'root is reported');
  });

  it('lists the example databases with counts', async () => {
    const dbs = await client.databases();
    assert.equal(dbFor(dbs, 'todo').count, 12);
    assert.equal(dbFor(dbs, 'feature').count, 2);
    assert.equal(dbFor(dbs, 'task').count, 2);
    for (const d of dbs) {
      assert.ok(d.columns.includes('status'), `${d.name} has a status column`);
      assert.equal(d.conflicts, 0);
    }
  });

  it('lists records with all fields, filtered, sorted and paged', async () => {
    const all = await client.list({ database: todo });
    assert.equal(all.total, 12);
    assert.equal(all.records.length, 12);
    const r3 = all.records.find((r) => r.id === '3')!;
    assert.equal(r3.fields.description, 'Document the CLI 3');
    assert.equal(r3.fields.area, 'parser');
    assert.equal(r3.fields.status, 'open');
    assert.equal(typeof r3.version, 'number');
    assert.ok(r3.line > 0);

    const open = await client.list({ database: todo, where: { status: 'open' } });
    assert.equal(open.total, 7);
    assert.ok(open.records.every((r) => r.fields.status === 'open'));

    const page = await client.list({ database: todo, sort: 'id', offset: 2, limit: 3 });
    assert.equal(page.total, 12);
    assert.equal(page.records.length, 3);
  });

  it('edits a field and writes it to the file', async () => {
    const before = await client.get(todo, '4');
    const res = await client.edit({ database: todo, id: '4', changes: { priority: 'P1' }, base: { version: before.version, fields: before.fields } });
    assert.equal(res.outcome, 'applied');
    assert.equal(res.record.fields.priority, 'P1');
    assert.ok(res.record.etag && res.record.etag !== before.etag, 'a new etag: the row changed');
    assert.match(fileText(dir, 'todo_db.sdn'), /\n\s*4, TODO, parser, P1, "Support generic aliases 4"/);
  });

  it('merges an edit on a stale base with a CLI change to another field', async () => {
    const base = await client.get(todo, '5');
    cli(dir, 'edit', todo, '5', 'area=lexer');
    const res = await client.edit({ database: todo, id: '5', changes: { priority: 'P2' }, base: { version: base.version, fields: base.fields } });
    assert.equal(res.outcome, 'merged');
    assert.equal(res.record.fields.area, 'lexer');
    assert.equal(res.record.fields.priority, 'P2');
  });

  it('records a conflict when the CLI changed the same field, then resolves it', async () => {
    const base = await client.get(todo, '7');
    cli(dir, 'edit', todo, '7', 'status=closed');
    const res = await client.edit({ database: todo, id: '7', changes: { status: 'blocked' }, base: { version: base.version, fields: base.fields } });
    assert.equal(res.outcome, 'conflict');
    assert.equal(res.record.fields.status, 'closed', 'the stored value is kept');
    assert.equal(res.conflicts.length, 1);
    const c = res.conflicts[0];
    assert.equal(c.field, 'status');
    assert.equal(c.base, 'open');
    assert.equal(c.ours, 'blocked');
    assert.equal(c.theirs, 'closed');

    const listed = await client.conflicts(todo);
    assert.deepEqual(listed.map((x) => x.id), [c.id]);
    assert.equal(dbFor(await client.databases(), 'todo').conflicts, 1);

    const resolved = await client.resolve({ database: todo, conflict: c.id, choice: 'ours' });
    assert.equal(resolved.record?.fields.status, 'blocked');
    assert.deepEqual(await client.conflicts(), []);
    assert.match(fileText(dir, 'todo_db.sdn'), /\n\s*7, TODO, runtime, P0, "Fix CRLF handling 7", [^\n]*, blocked, true/);
  });

  it('resolves conflicts with theirs and with a new value', async () => {
    const b8 = await client.get(todo, '8');
    cli(dir, 'edit', todo, '8', 'priority=P3');
    const r8 = await client.edit({ database: todo, id: '8', changes: { priority: 'P0' }, base: { version: b8.version, fields: b8.fields } });
    assert.equal(r8.outcome, 'conflict');
    const theirs = await client.resolve({ conflict: r8.conflicts[0].id, choice: 'theirs' });
    assert.equal(theirs.record?.fields.priority, 'P3');

    const b2 = await client.get(todo, '2');
    cli(dir, 'edit', todo, '2', 'description=From the CLI');
    const r2 = await client.edit({ database: todo, id: '2', changes: { description: 'From the editor' }, base: { version: b2.version, fields: b2.fields } });
    assert.equal(r2.outcome, 'conflict');
    const value = await client.resolve({ database: todo, conflict: r2.conflicts[0].id, choice: 'value', value: 'Both, merged by hand' });
    assert.equal(value.record?.fields.description, 'Both, merged by hand');
    assert.match(fileText(dir, 'todo_db.sdn'), /"Both, merged by hand"/);
    assert.deepEqual(await client.conflicts(), []);
  });

  it('refuses a stale edit with strategy "error" (-32010 with the current record)', async () => {
    const base = await client.get(todo, '9');
    cli(dir, 'edit', todo, '9', 'priority=P2');
    await assert.rejects(
      client.edit({ database: todo, id: '9', changes: { priority: 'P1' }, base: { version: base.version, fields: base.fields }, strategy: 'error' }),
      (err: unknown) => err instanceof SdndbError && err.code === ErrorCodes.Conflict &&
        (err.data as { record?: { fields: Record<string, string> } }).record?.fields.priority === 'P2');
  });

  it('creates and deletes a record', async () => {
    const rec = await client.create(todo, { description: 'Written by node --test', status: 'open' });
    assert.ok(rec.id, 'an id is generated');
    assert.equal(rec.fields.description, 'Written by node --test');
    assert.match(fileText(dir, 'todo_db.sdn'), /Written by node --test/);
    const del = await client.delete({ database: todo, id: rec.id, baseVersion: rec.version });
    assert.equal(del.outcome, 'deleted');
    assert.doesNotMatch(fileText(dir, 'todo_db.sdn'), /Written by node --test/);
    await assert.rejects(client.get(todo, rec.id), (e: unknown) => e instanceof SdndbError && e.code === ErrorCodes.NotFound);
  });

  it('reports errors with protocol codes', async () => {
    await assert.rejects(client.list({ database: 'no_such_db' }),
      (e: unknown) => e instanceof SdndbError && e.code === ErrorCodes.NotFound);
    await assert.rejects(client.edit({ database: todo, id: '1', changes: { no_such_field: 'x' } }),
      (e: unknown) => e instanceof SdndbError && e.code === ErrorCodes.Validation);
    await assert.rejects(client.request('sdndb/nope', {}),
      (e: unknown) => e instanceof SdndbError && e.code === ErrorCodes.MethodNotFound);
  });

  it('sends sdndb/didChange when the CLI edits a file', async () => {
    changes.length = 0;
    cli(dir, 'edit', todo, '11', 'status=closed');
    const p = await waitFor(() => changes.find((c) => c.database === todo && c.changed.includes('11')), 5000, 'didChange for todo #11');
    assert.ok(!p.added.includes('11') && !p.removed.includes('11'), 'an edit is reported as a change');
    assert.equal((await client.get(todo, '11')).fields.status, 'closed');
  });

  it('sends sdndb/didChange for its own edits, added and removed records', async () => {
    changes.length = 0;
    const rec = await client.create(todo, { description: 'watch me' });
    await waitFor(() => changes.find((c) => c.added.includes(rec.id)), 5000, 'didChange with the added id');
    await client.delete({ database: todo, id: rec.id });
    await waitFor(() => changes.find((c) => c.removed.includes(rec.id)), 5000, 'didChange with the removed id');
  });
});

describe('SdndbClient.start', () => {
  it('reports a server that exits during initialize, with the end of its stderr', async () => {
    // A "server" that complains and exits without answering (it sleeps first, so the initialize
    // request is written into the pipe instead of failing with EPIPE).
    const dir = mkdtempSync(path.join(tmpdir(), 'sdndb-fake-server-'));
    const fake = path.join(dir, 'sdndb');
    writeFileSync(fake, '#!/bin/sh\necho "fake sdndb: cannot serve" >&2\nsleep 0.3\nexit 3\n');
    chmodSync(fake, 0o755);
    try {
      await assert.rejects(SdndbClient.start({ binary: fake, rootPath: dir, startTimeoutMs: 10000 }),
        (e: unknown) => e instanceof Error &&
          e.message === 'sdndb server exited during initialize (code 3, signal null): fake sdndb: cannot serve');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
