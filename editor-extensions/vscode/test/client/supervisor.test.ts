// ServerSupervisor and RecordStore against the real binary: restart after a crash, a missing
// binary, and the store following CLI edits through sdndb/didChange.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordStore, SdndbClient, ServerState, ServerSupervisor } from '../../src/client';
import { BIN, cli, cliConflict, dbFor, exampleDir, requireBinary, waitFor } from './helpers';

function supervisorFor(dir: string, binary = BIN) {
  const states: ServerState[] = [];
  const sup = new ServerSupervisor({
    launchConfig: () => ({ ok: true, options: { binary, dir, rootPath: dir, startTimeoutMs: 20000 } }),
    backoffMs: [50],
    maxRestarts: 2,
    windowMs: 60_000,
  });
  sup.onDidChangeState((s) => states.push(s));
  return { sup, states };
}

/** Counts the calls of some client methods (the counters can be reset by assigning). */
function countCalls<K extends 'databases' | 'list' | 'get' | 'conflicts'>(client: SdndbClient, methods: K[]): Record<K, number> {
  const calls = {} as Record<K, number>;
  for (const m of methods) {
    calls[m] = 0;
    const real = (client[m] as (...a: unknown[]) => unknown).bind(client);
    (client as unknown as Record<K, unknown>)[m] = (...a: unknown[]) => { calls[m]++; return real(...a); };
  }
  return calls;
}

describe('ServerSupervisor', () => {
  it('starts, restarts a crashed server, and stops', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const { sup, states } = supervisorFor(dir);
    try {
      await sup.start();
      assert.equal(sup.state, 'running');
      const first = sup.client!;
      const firstPid = first.pid;
      let started = 0;
      sup.onDidStart(() => started++);
      first.kill(false);
      await waitFor(() => (started > 0 && sup.state === 'running' ? true : undefined), 10000, 'restart');
      assert.notEqual(sup.client!.pid, firstPid);
      assert.ok(states.includes('restarting'));
      assert.ok((await sup.client!.databases()).length >= 3, 'the new server answers');
      await sup.stop();
      assert.equal(sup.state, 'stopped');
      assert.equal(sup.client, undefined);
    } finally {
      await sup.stop();
      cleanup();
    }
  });

  it('gives up after too many crashes', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const { sup } = supervisorFor(dir);
    try {
      await sup.start();
      for (let i = 0; i < 3; i++) {
        const c = await waitFor(() => sup.client, 10000, 'running server');
        c.kill(false);
        await waitFor(() => (sup.client !== c ? true : undefined), 10000, 'crash noticed');
      }
      await waitFor(() => (sup.state === 'failed' ? true : undefined), 10000, 'failed state');
      assert.match(sup.lastError, /died/);
    } finally {
      await sup.stop();
      cleanup();
    }
  });

  it('reports a missing binary as "missing" with a clear message', async () => {
    const { sup } = supervisorFor('/nonexistent', '/nonexistent/bin/sdndb');
    await sup.start();
    assert.equal(sup.state, 'missing');
    assert.match(sup.lastError, /cannot start \/nonexistent\/bin\/sdndb/);
    await assert.rejects(sup.ready(), /cannot start/);
  });

  it('reports an unresolvable launch config as "missing"', async () => {
    const sup = new ServerSupervisor({ launchConfig: () => ({ ok: false, reason: 'The sdndb binary was not found' }) });
    await sup.start();
    assert.equal(sup.state, 'missing');
    assert.equal(sup.lastError, 'The sdndb binary was not found');
  });
});

describe('RecordStore', () => {
  it('loads everything on start and follows CLI edits through didChange (throttled)', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const { sup } = supervisorFor(dir);
    const store = new RecordStore(sup, { throttleMs: () => 100 });
    let updates = 0;
    store.onDidUpdate(() => updates++);
    try {
      await sup.start();
      await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
      const todo = dbFor(store.databases.map((e) => e.db), 'todo').name;
      assert.equal(store.database(todo)!.records.length, 12);
      assert.equal(store.findRecord(todo, '3')!.fields.description, 'Document the CLI 3');

      const before = updates;
      cli(dir, 'edit', todo, '3', 'status=closed');
      cli(dir, 'edit', todo, '1', 'priority=P3');
      await waitFor(() => (store.findRecord(todo, '3')?.fields.status === 'closed' &&
        store.findRecord(todo, '1')?.fields.priority === 'P3' ? true : undefined), 5000, 'store to reflect CLI edits');
      assert.ok(updates - before <= 3, `bursts are coalesced (got ${updates - before} reloads)`);

      // A conflict made outside shows in the store's conflict list.
      const client = sup.client!;
      const base = await client.get(todo, '6');
      cli(dir, 'edit', todo, '6', 'priority=P1');
      await client.edit({ database: todo, id: '6', changes: { priority: 'P2' }, base: { version: base.version, fields: base.fields } });
      await waitFor(() => (store.conflicts.length === 1 ? true : undefined), 5000, 'conflict in the store');
      assert.equal(store.conflictsFor(todo, '6').length, 1);
    } finally {
      store.dispose();
      await sup.stop();
      cleanup();
    }
  });

  it('keeps conflicts apart by database: the same id in two databases resolves in the right one', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const { sup } = supervisorFor(dir);
    const store = new RecordStore(sup, { throttleMs: () => 50 });
    try {
      await sup.start();
      await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
      const dbs = store.databases.map((e) => e.db);
      const todo = dbFor(dbs, 'todo').name;
      const task = dbFor(dbs, 'task').name;
      // The CLI alone records one conflict in each database (two edits based on the same etag).
      cliConflict(dir, todo, '1', 'status', 'closed', 'blocked');
      cliConflict(dir, task, 'TRACK-001', 'status', 'done', 'blocked');
      await waitFor(() => (store.conflicts.length === 2 ? true : undefined), 5000, 'both conflicts in the store');
      const [a, b] = store.conflicts;
      assert.equal(a.id, b.id, `the same conflict id in both databases (${a.id}, ${b.id})`);
      const id = a.id;
      assert.equal(store.findConflict(todo, id)!.record, '1');
      assert.equal(store.findConflict(task, id)!.record, 'TRACK-001');
      assert.equal(store.findConflict('no_such_db', id), undefined);

      // Resolving the task conflict touches task only.
      await store.resolveConflict(task, id, 'value', 'review');
      assert.equal(store.findRecord(task, 'TRACK-001')!.fields.status, 'review', 'the resolved record is in the store');
      assert.equal(store.findRecord(todo, '1')!.fields.status, 'closed', 'todo #1 keeps the stored value');
      assert.equal(store.findConflict(task, id), undefined);
      assert.equal(store.findConflict(todo, id)!.record, '1', 'the todo conflict is still there');
      const client = sup.client!;
      assert.deepEqual((await client.conflicts(task)).length, 0);
      assert.deepEqual((await client.conflicts(todo)).map((c) => c.record), ['1'], 'the server still has the todo conflict');
      assert.equal((await client.get(task, 'TRACK-001')).fields.status, 'review');
      await assert.rejects(store.resolveConflict(task, id, 'ours'), /already been resolved/);

      await store.resolveConflict(todo, id, 'ours');
      assert.equal(store.findRecord(todo, '1')!.fields.status, 'blocked');
      assert.deepEqual(store.conflicts, []);
    } finally {
      store.dispose();
      await sup.stop();
      cleanup();
    }
  });

  it('applies didChange incrementally: sdndb/get per id, no full list, conflicts only when their count moves', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const { sup } = supervisorFor(dir);
    const store = new RecordStore(sup, { throttleMs: () => 50 });
    try {
      await sup.start();
      await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
      const todo = dbFor(store.databases.map((e) => e.db), 'todo').name;
      const client = sup.client!;
      const calls = countCalls(client, ['databases', 'list', 'get', 'conflicts']);

      // An edit by this client: its result goes in at once; the echo costs one sdndb/get.
      const base = await client.get(todo, '4');
      calls.get = 0;
      const res = await client.edit({ database: todo, id: '4', changes: { priority: 'P1' }, base: { version: base.version, fields: base.fields } });
      await store.applyEdit(todo, res);
      assert.equal(store.findRecord(todo, '4')!.fields.priority, 'P1', 'the edit result is in the store at once');
      await waitFor(() => (calls.get >= 1 ? true : undefined), 5000, 'the echo to be fetched');

      // CLI edit, create and delete.
      cli(dir, 'edit', todo, '5', 'status=closed');
      const created = JSON.parse(cli(dir, 'add', todo, 'description=Added by the CLI', '--json')) as { id: string };
      await waitFor(() => (store.findRecord(todo, '5')?.fields.status === 'closed' && store.findRecord(todo, String(created.id)) ? true : undefined),
        5000, 'the store to show the CLI edit and the new record');
      cli(dir, 'delete', todo, String(created.id));
      await waitFor(() => (store.findRecord(todo, String(created.id)) ? undefined : true), 5000, 'the store to drop the deleted record');
      assert.equal(store.database(todo)!.records.length, 12);
      assert.deepEqual(store.database(todo)!.records.map((r) => r.id), [...Array(12)].map((_, i) => String(i + 1)), 'sorted by id');
      assert.equal(calls.conflicts, 0, 'no conflicts request while their count is unchanged');

      // A conflict made by the CLI alone: the count moves, so the conflicts are read (once).
      cliConflict(dir, todo, '7', 'status', 'closed', 'blocked');
      await waitFor(() => (store.conflictsFor(todo, '7').length === 1 ? true : undefined), 5000, 'the conflict in the store');
      assert.equal(calls.list, 0, 'no full sdndb/list after the initial load');
      assert.equal(calls.databases, 0, 'no sdndb/databases after the initial load');
      assert.ok(calls.conflicts >= 1 && calls.conflicts <= 2, `conflicts read when their count moved (${calls.conflicts})`);
    } finally {
      store.dispose();
      await sup.stop();
      cleanup();
    }
  });
});
