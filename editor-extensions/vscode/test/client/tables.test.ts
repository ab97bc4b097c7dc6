// Every table of a file through the client, against the real binary: the tables listing, reads and
// sdndb/apply writes addressed to a table other than the records table, with the rows' etags as base.
// The file is a copy of the Simple project's bug database (tests/data/corpus), which has several tables.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  conflictLabel, conflictSideLine, conflictSideText, DatabaseEntry, DidChangeParams, diffRecord, editBase, editOutcomeMessage, formatRecord, gridRow, gridTables, recordSymbolLabel, RecordStore,
  readRecordDocument, recordTooltipMarkdown, resolveTableAddress, rowAddresses, sdnOutline, SdndbClient, SdndbError, ServerSupervisor, tableAddress, TableInfo,
} from '../../src/client';
import { BIN, cli, cliConflict, exampleDir, fileText, REPO, startClient, waitFor } from './helpers';

const BUG_DB = path.join(REPO, 'tests/data/corpus/07_bug_db__doc-bug__1eb5fcd.sdn');

/** Lines of `after` that differ from `before` (same line count expected). */
function changedLines(beforeText: string, afterText: string): string[] {
  const a = beforeText.split('\n');
  const b = afterText.split('\n');
  assert.equal(b.length, a.length, 'the line count stays');
  return b.filter((line, i) => line !== a[i]);
}

describe('tables of a file (sdndb/apply, etags)', () => {
  let dir: string;
  let client: SdndbClient;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sdndb-vscode-tables-'));
    copyFileSync(BUG_DB, path.join(dir, 'bug_db.sdn'));
    client = await startClient(dir);
  });
  after(async () => {
    await client?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every table of the file, the records table marked default', async () => {
    const [db] = await client.databases();
    assert.equal(db.name, 'bug');
    const names = (db.tables ?? []).map((t) => t.name);
    assert.ok(names.includes('bugs') && names.includes('test_cases') && names.includes('fixes'), `tables: ${names}`);
    assert.equal(db.tables!.find((t) => t.default)?.name, db.table);
    const tabs = gridTables(db.table, 99, db.tables, { fixes: 3 });
    assert.equal(tabs[0].name, db.table, 'the records table comes first');
    assert.equal(tabs[0].count, 99, 'the records table counts the rows shown');
    assert.equal(tabs.find((t) => t.name === 'fixes')?.count, 3, 'a loaded table counts its rows');
    assert.equal(tabs.find((t) => t.name === 'test_cases')?.count, 9, 'the others: the count the server reported');
  });

  it('reads and edits a row of the second table with its etag as base: one line changes', async () => {
    const res = await client.list({ database: 'bug', table: 'test_cases' });
    const row = res.records.find((r) => r.id === 'cli_spec_test');
    assert.ok(row, 'the row of test_cases is listed by its key');
    assert.match(row.etag ?? '', /^[0-9a-f]{12}$/);
    assert.deepEqual(editBase(row), { etag: row.etag, fields: row.fields }, 'the etag is the base when there is one');
    const beforeText = fileText(dir, 'bug_db.sdn');
    const out = await client.apply({
      database: 'bug', table: 'test_cases', edits: [{ id: row.id, changes: { status: 'pass' }, base: editBase(row) }],
    });
    const item = out.edits[0];
    assert.equal(item.status, 'ok');
    assert.ok(item.status === 'ok' && item.outcome === 'applied');
    const changed = changedLines(beforeText, fileText(dir, 'bug_db.sdn'));
    assert.deepEqual(changed, ['    cli_spec_test, "test/lib/std/unit/cli_spec.spl", pass']);
    // The records table kept its row of the same position.
    const bugs = await client.list({ database: 'bug' });
    assert.equal(bugs.records[3].id, 'string_001');
  });

  it('refuses a stale etag with the "error" strategy and reports it per item; the batch writes the rest', async () => {
    const res = await client.list({ database: 'bug', table: 'test_cases' });
    const stale = res.records.find((r) => r.id === 'cli_spec_test')!;
    const other = res.records.find((r) => r.id === 'mmap_parse_test')!;
    await client.apply({ database: 'bug', table: 'test_cases', edits: [{ id: stale.id, changes: { status: 'slow' }, base: editBase(stale) }] });
    const beforeText = fileText(dir, 'bug_db.sdn');
    const out = await client.apply({
      database: 'bug', table: 'test_cases', strategy: 'error',
      edits: [
        { id: stale.id, changes: { status: 'fail' }, base: editBase(stale) },
        { id: other.id, changes: { status: 'pass' }, base: editBase(other) },
      ],
    });
    assert.equal(out.edits[0].status, 'error');
    assert.equal(out.edits[0].status === 'error' && out.edits[0].error.code, -32010);
    assert.equal(out.edits[1].status, 'ok');
    assert.equal(changedLines(beforeText, fileText(dir, 'bug_db.sdn')).length, 1, 'only the fresh edit is written');
  });

  it('creates and deletes rows of the second table (delete by etag)', async () => {
    const out = await client.apply({ database: 'bug', table: 'test_cases', creates: [{ fields: { id: 'grid_test', file: 'g.spl', status: 'pass' } }] });
    const created = out.creates[0];
    assert.ok(created.status === 'ok', JSON.stringify(created));
    assert.equal(created.record.fields.file, 'g.spl');
    const listed = (await client.list({ database: 'bug', table: 'test_cases' })).records.find((r) => r.id === 'grid_test');
    assert.ok(listed?.etag);
    const del = await client.apply({ database: 'bug', table: 'test_cases', deletes: [{ id: 'grid_test', baseEtag: listed.etag }] });
    assert.ok(del.deletes[0].status === 'ok' && del.deletes[0].outcome === 'deleted');
    await assert.rejects(client.get('bug', 'grid_test', 'test_cases'), (e: unknown) => e instanceof SdndbError && e.isNotFound);
    assert.ok(!fileText(dir, 'bug_db.sdn').includes('grid_test'));
  });

  it('edits a row of a keyless log table by its position (@N) and etag; a stale etag is refused', async () => {
    const notes = (await client.list({ database: 'bug', table: 'notes' })).records;
    const row = notes.find((r) => r.id.startsWith('@'))!;
    assert.ok(row, 'notes has rows addressed by position');
    const beforeText = fileText(dir, 'bug_db.sdn');
    const out = await client.apply({ database: 'bug', table: 'notes', edits: [{ id: row.id, changes: { note: 'edited in the grid' }, base: editBase(row) }] });
    assert.ok(out.edits[0].status === 'ok' && out.edits[0].record.fields.note === 'edited in the grid', JSON.stringify(out.edits[0]));
    const changed = changedLines(beforeText, fileText(dir, 'bug_db.sdn'));
    assert.equal(changed.length, 1);
    assert.match(changed[0], /"edited in the grid"/);
    const again = await client.apply({ database: 'bug', table: 'notes', edits: [{ id: row.id, changes: { note: 'from an old view' }, base: editBase(row) }] });
    assert.ok(again.edits[0].status === 'error' && again.edits[0].error.code === -32010, JSON.stringify(again.edits[0]));
    assert.ok(!fileText(dir, 'bug_db.sdn').includes('from an old view'));
  });

  it('addresses every table as NAME or NAME.TABLE (what record documents and commands use)', async () => {
    const [db] = await client.databases();
    const entry: DatabaseEntry = { db, records: [] };
    const lookup = (name: string) => (name === db.name ? entry : undefined);
    assert.equal(tableAddress('bug', 'bugs', db.table), 'bug', 'the records table is the database itself');
    assert.equal(tableAddress('bug', 'notes', db.table), 'bug.notes');
    const records = resolveTableAddress(lookup, 'bug');
    assert.equal(records?.isOther, false);
    assert.equal(records?.table, db.table);
    const notes = resolveTableAddress(lookup, 'bug.notes');
    assert.equal(notes?.isOther, true);
    assert.deepEqual(notes?.columns, ['bug_id', 'timestamp', 'note']);
    assert.equal(notes?.idColumn, 'bug_id');
    assert.equal(resolveTableAddress(lookup, 'bug.nosuch'), undefined);
    assert.equal(resolveTableAddress(lookup, 'other.notes'), undefined);
    // The address is the server's `database` parameter: a row of notes read and edited through it.
    const row = (await client.list({ database: 'bug.notes' })).records[2];
    assert.equal(row.id, '@3');
    const got = await client.get('bug.notes', '@3');
    assert.equal(got.line, row.line);
    // A record document of a positional row shows its key (not its address); only the changed field is sent.
    const changes = diffRecord(got, { ...got.fields, note: 'typed in a record document' }, 'bug_id');
    assert.deepEqual(changes, { note: 'typed in a record document' });
    assert.throws(() => diffRecord(got, { ...got.fields, bug_id: 'other' }, 'bug_id'), /cannot be changed/);
    const beforeText = fileText(dir, 'bug_db.sdn');
    const res = await client.edit({ database: 'bug.notes', id: '@3', changes, base: editBase(got) });
    assert.equal(res.outcome, 'applied');
    const changed = changedLines(beforeText, fileText(dir, 'bug_db.sdn'));
    assert.deepEqual(changed, ['    bootstrap_001, "2026-01-29T13:00:00", "typed in a record document"']);
  });

  it('an older server without tables gives one tab', () => {
    assert.deepEqual(gridTables('todos', 2, undefined), [{ name: 'todos', count: 2 }]);
    const t: TableInfo = { name: 'todos', columns: [], idColumn: 'id', count: 1, versioned: false, default: true };
    assert.deepEqual(gridTables('todos', 2, [t]), [{ name: 'todos', count: 2 }]);
  });

  it('a conflict in another table is labelled with it, and resolving it leaves the records-table cache alone', async () => {
    const own = mkdtempSync(path.join(tmpdir(), 'sdndb-vscode-tables-resolve-'));
    copyFileSync(BUG_DB, path.join(own, 'bug_db.sdn'));
    const sup = new ServerSupervisor({ launchConfig: () => ({ ok: true, options: { binary: BIN, dir: own, rootPath: own, startTimeoutMs: 20000 } }) });
    const store = new RecordStore(sup, { throttleMs: () => 50 });
    try {
      await sup.start();
      await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
      // A note keyed dict_semantics_001 (the only one in notes) — a key the bugs table has too.
      cliConflict(own, 'bug.notes', 'dict_semantics_001', 'note', 'first', 'second');
      const c = await waitFor(() => store.conflicts.find((x) => x.table === 'notes'), 10000, 'the notes conflict in the store');
      assert.equal(conflictLabel(c, store.database('bug')!.db.table), 'bug.notes #dict_semantics_001 · note');
      assert.equal(conflictLabel(c), 'bug #dict_semantics_001 · note', 'without the records table: the database alone');
      const bugsBefore = store.database('bug')!.records.map((r) => `${r.id}=${r.fields.title}`).join('\n');
      await store.resolveConflict('bug', c.id, 'ours');
      assert.equal(store.database('bug')!.records.map((r) => `${r.id}=${r.fields.title}`).join('\n'), bugsBefore,
        'bug dict_semantics_001 keeps its own fields (the note is not put into the bugs cache)');
      assert.ok(fileText(own, 'bug_db.sdn').includes('\n    dict_semantics_001, "2026-01-29T13:05:00", "second"\n'), 'my note kept');
      await waitFor(() => (store.conflicts.length === 0 ? true : undefined), 5000, 'the conflict gone');
    } finally {
      store.dispose();
      await sup.stop();
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('a record of a table without version columns shows no "version 0" (document header, tooltip, merge notice); a versioned one does', async () => {
    const check = async (c: SdndbClient, address: string, id: string, versioned: boolean) => {
      const dbs = await c.databases();
      const entries = new Map<string, DatabaseEntry>(dbs.map((db) => [db.name, { db, records: [] }]));
      const t = resolveTableAddress((n) => entries.get(n), address)!;
      assert.equal(t.versioned, versioned, `${address}: versioned`);
      const r = await c.get(address, id);
      const head = formatRecord(address, r, t.idColumn, t.columns, t.versioned).split('\n')[0];
      const merged = editOutcomeMessage(address, id, { outcome: 'merged', record: r, conflicts: [] })!.text;
      if (versioned) {
        assert.match(head, new RegExp(`^# sdndb record ${address} #${id} · version ${r.version} · modified `));
        assert.match(recordTooltipMarkdown(address, r, t.versioned), /\| version \| \d+ \|/);
        assert.match(merged, /\(version \d+\)/);
      } else {
        assert.equal(head, `# sdndb record ${address} #${id}`, 'the header names no version');
        assert.doesNotMatch(recordTooltipMarkdown(address, r, t.versioned), /version/);
        assert.doesNotMatch(merged, /version/);
      }
    };
    await check(client, 'bug', 'parser_001', false);
    await check(client, 'bug.notes', '@2', false);
    const ex = exampleDir();
    cli(ex.dir, 'edit', 'todo', '1', 'status=closed'); // (the examples' records are at version 0)
    const todo = await startClient(ex.dir);
    try {
      await check(todo, 'todo', '1', true);
    } finally {
      await todo.stop();
      ex.cleanup();
    }
  });

  it('a record document read before the databases are cached is laid out by its table (restored tab at startup)', async () => {
    const notCached = () => undefined;
    const note = await readRecordDocument(client, notCached, 'bug.notes', '@2');
    assert.equal(note.idColumn, 'bug_id');
    assert.equal(note.versioned, false);
    assert.deepEqual(formatRecord('bug.notes', note.record, note.idColumn, note.columns, note.versioned).split('\n').slice(0, 5), [
      '# sdndb record bug.notes #@2', '# Edit values after the colon and save to apply. Lines starting with # are ignored.',
      'bug_id: bootstrap_001', 'timestamp: 2026-01-29T12:30:00', 'note: Confirmed MIR lowering gets 0 modules',
    ], 'the key column, not an "id: @2" line');
    const [db] = await client.databases();
    const bug = await readRecordDocument(client, notCached, 'bug', 'parser_001');
    assert.deepEqual([bug.idColumn, bug.columns], [db.idColumn, db.columns], 'the records table as the server lists it');
    await assert.rejects(readRecordDocument(client, notCached, 'bug.notes', '@999'), (e: unknown) => e instanceof SdndbError && e.isNotFound);
  });

  it('the base of a whole-record conflict in a table without version columns is not shown as "version 0" (Conflicts view, pickers, grid)', async () => {
    const own = mkdtempSync(path.join(tmpdir(), 'sdndb-vscode-tables-base-'));
    copyFileSync(BUG_DB, path.join(own, 'bug_db.sdn'));
    const etag = (JSON.parse(cli(own, 'show', 'bug', 'parser_001', '--json')) as { etag: string }).etag;
    cli(own, 'delete', 'bug', 'parser_001');
    try { cli(own, 'edit', 'bug', 'parser_001', '--expect', etag, 'status=closed'); } catch { /* exit 2: conflict recorded */ }
    const sup = new ServerSupervisor({ launchConfig: () => ({ ok: true, options: { binary: BIN, dir: own, rootPath: own, startTimeoutMs: 20000 } }) });
    const store = new RecordStore(sup);
    try {
      await sup.start();
      await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
      const [c] = store.conflictsFor('bug', 'parser_001');
      assert.ok(c && c.field === '*', JSON.stringify(store.conflicts));
      assert.equal(c.base, '0', 'the server stores 0 as the base of an unversioned record');
      const layout = store.conflictLayout(c);
      assert.equal(layout.versioned, false);
      for (const text of [conflictSideText(c, 'base', layout), conflictSideLine(c, 'base', 80, layout)]) {
        assert.doesNotMatch(text, /version 0/);
        assert.match(text, /no version/);
      }
      const row = gridRow({ id: 'parser_001', version: 0, modified: '', line: 1, fields: {} }, [c], 'id', layout);
      assert.doesNotMatch(row.conflicts!.id.base, /version 0/);
    } finally {
      store.dispose();
      await sup.stop();
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('didChange names the table: a note changed elsewhere is announced for notes, and the record cache ignores it', async () => {
    const own = mkdtempSync(path.join(tmpdir(), 'sdndb-vscode-tables-live-'));
    const file = path.join(own, 'bug_db.sdn');
    copyFileSync(BUG_DB, file);
    const sup = new ServerSupervisor({ launchConfig: () => ({ ok: true, options: { binary: BIN, dir: own, rootPath: own, startTimeoutMs: 20000 } }) });
    const store = new RecordStore(sup, { throttleMs: () => 50 });
    const seen: DidChangeParams[] = [];
    const sub = sup.onDidChange((p) => seen.push(p));
    try {
      await sup.start();
      await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
      const ids = () => store.database('bug')!.records.map((r) => r.id).join(',');
      const before = ids();
      // Another process edits one note and deletes the note keyed parser_001 — a key the bugs table
      // also has: read as a records-table change, bug parser_001 would vanish from the cache.
      const text = readFileSync(file, 'utf8');
      const noteLine = text.split('\n').find((l) => /^\s+parser_001, "2026-01-30T03:41:00"/.test(l))!;
      assert.ok(noteLine, 'the parser_001 note');
      assert.ok(before.split(',').includes('parser_001'), 'bug parser_001 is cached');
      writeFileSync(file, text.replace('Confirmed MIR lowering gets 0 modules', 'Confirmed elsewhere').replace(noteLine + '\n', ''));
      const n = await waitFor(() => seen.find((p) => p.database === 'bug'), 5000, 'didChange for bug');
      assert.equal(n.table, 'notes');
      assert.ok(n.removed.includes('parser_001'), JSON.stringify(n));
      assert.ok(n.changed.includes('@2'), JSON.stringify(n));
      await new Promise((r) => setTimeout(r, 400)); // the store's throttle, had it reloaded anything
      assert.deepEqual(seen.filter((p) => p.database === 'bug').map((p) => p.table), ['notes'], 'no records-table notification');
      assert.equal(ids(), before, 'the records table cache is unchanged (bug parser_001 is still there)');
    } finally {
      sub.dispose();
      store.dispose();
      await sup.stop();
      rmSync(own, { recursive: true, force: true });
    }
  });
});

describe('row addresses of the outline match the server on every corpus file', () => {
  let dir: string;
  let client: SdndbClient;
  const CORPUS = path.join(REPO, 'tests/data/corpus');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sdndb-vscode-corpus-'));
    // Every corpus file as a database (`cNN_db.sdn`): several tables per file, keyless tables, repeated keys.
    for (const f of readdirSync(CORPUS).filter((n) => n.endsWith('.sdn'))) copyFileSync(path.join(CORPUS, f), path.join(dir, `c${f.slice(0, 2)}_db.sdn`));
    client = await startClient(dir);
  });
  after(async () => {
    await client?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the outline gives each row the id the server gives it (key or @N), at the same line', async () => {
    let rows = 0;
    let positional = 0;
    for (const db of await client.databases()) {
      const outline = sdnOutline(readFileSync(db.path, 'utf8'));
      for (const t of db.tables ?? []) {
        const ot = outline.tables.find((o) => o.name === t.name);
        assert.ok(ot, `${path.basename(db.path)}: table ${t.name} in the outline`);
        const addresses = rowAddresses(ot);
        const byLine = new Map(ot.rows.map((r, i) => [r.line, addresses[i]]));
        const { records } = await client.list({ database: tableAddress(db.name, t.name, db.table) });
        for (const r of records) {
          assert.equal(byLine.get(r.line), r.id, `${path.basename(db.path)}:${r.line} (${t.name})`);
          rows++;
          if (r.id.startsWith('@')) positional++;
        }
      }
    }
    assert.ok(rows > 500 && positional > 20, `rows compared: ${rows}, of them by position: ${positional}`);
  });

  it('labels outline rows by their address', () => {
    const o = sdnOutline('notes |bug_id, timestamp, note|\n    b1, t1, "first"\n    b1, t2, "second"\n    b2, t3\ntasks |id, title|\n    7, "Seven"\n');
    const [notes, tasks] = o.tables;
    const a = rowAddresses(notes);
    assert.deepEqual(a, ['@1', '@2', undefined], 'repeated keys are positions; a malformed row has none');
    assert.equal(recordSymbolLabel(notes, notes.rows[1], a[1]), '@2 b1, t2, second');
    assert.equal(recordSymbolLabel(notes, notes.rows[2], a[2]), '(malformed row) b2, t3');
    assert.equal(recordSymbolLabel(tasks, tasks.rows[0], rowAddresses(tasks)[0]), '#7 Seven');
  });
});
