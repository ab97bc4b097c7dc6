// The defects found when the extension was tried in real VS Code (issue 17, item 4) and the
// diagnostics helpers: one test per defect where the fix lives in the vscode-free module (the rest
// are end-to-end steps in test/e2e/run-e2e.mjs).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  checkProblems, Conflict, gridRow, conflictSideLine, conflictSidePath, conflictSideText, editOutcomeMessage, EditResult, fieldLine, fieldValueChoices, formatNewRecord,
  newRecordFromText, parseCheckMessage, plural, recordDocumentLabel, RecordStore, serverPathChange, ServerSupervisor,
  validateRecordText,
} from '../../src/client';
import { BIN, cli, cliConflict, exampleDir, requireBinary, startClient, waitFor } from './helpers';

const EXT = path.resolve(__dirname, '../../..');

async function storeFor(dir: string) {
  const sup = new ServerSupervisor({ launchConfig: () => ({ ok: true, options: { binary: BIN, dir, rootPath: dir, startTimeoutMs: 20000 } }) });
  const store = new RecordStore(sup, { throttleMs: () => 50 });
  await sup.start();
  await waitFor(() => (store.isLoaded ? true : undefined), 10000, 'initial load');
  return { sup, store, stop: async () => { store.dispose(); await sup.stop(); } };
}

const conflict = (over: Partial<Conflict>): Conflict =>
  ({ id: 'c1', database: 'todo', record: '2', field: 'status', base: 'open', ours: 'blocked', theirs: 'closed', who: '', when: '2026-01-01T00:00:00.000Z', ...over });

describe('defects of issue 17', () => {
  it('a broken file that is fixed again is shown as readable without a manual refresh', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const file = path.join(dir, 'task_db.sdn');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(/\|\n/, '\n')); // the header loses its closing '|'
    const { store, stop } = await storeFor(dir);
    try {
      const task = store.databases.find((e) => e.db.path.endsWith('task_db.sdn'))!;
      assert.ok(task.error, 'the malformed database carries its error');
      assert.equal(task.records.length, 0);
      writeFileSync(file, good);
      await waitFor(() => {
        const e = store.databases.find((x) => x.db.path.endsWith('task_db.sdn'));
        return e && !e.error && e.records.length === 2 ? true : undefined;
      }, 10000, 'the fixed database to load by itself');
    } finally {
      await stop();
      cleanup();
    }
  });

  it('edit vs delete: the message names the deletion, no raw "*", and no ghost record stays', async () => {
    const deleted: EditResult = {
      outcome: 'conflict',
      record: { id: '2', version: 0, modified: '', line: 0, fields: {} },
      conflicts: [conflict({ field: '*', ours: '{"status":"blocked"}', theirs: '<deleted>' })],
    };
    const m = editOutcomeMessage('todo', '2', deleted)!;
    assert.ok(m.warning);
    assert.match(m.text, /was deleted elsewhere/);
    assert.doesNotMatch(m.text, /\*|stored value was kept/);
    const plain = editOutcomeMessage('todo', '2', { outcome: 'conflict', record: deleted.record, conflicts: [conflict({})] })!;
    assert.match(plain.text, /status was changed elsewhere too\. The stored value was kept/);

    requireBinary();
    const { dir, cleanup } = exampleDir();
    const { store, stop } = await storeFor(dir);
    try {
      cli(dir, 'delete', 'todo', '2');
      await store.applyEdit('todo', deleted);
      assert.equal(store.findRecord('todo', '2'), undefined, 'no "(record 2)" ghost');
    } finally {
      await stop();
      cleanup();
    }
  });

  it('whole-record conflicts read as records: fields as "field: value" lines, "(deleted)", the base version', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const client = await startClient(dir);
    try {
      // Edit vs delete: the record is deleted by the CLI, then edited on the view read before.
      const r = await client.get('todo', '2');
      cli(dir, 'delete', 'todo', '2');
      const res = await client.edit({ database: 'todo', id: '2', changes: { status: 'blocked' }, base: { etag: r.etag, fields: r.fields } });
      const c = res.conflicts[0];
      assert.equal(c.field, '*');
      const mine = conflictSideText(c, 'ours');
      assert.ok(mine.split('\n').includes('status: blocked') && mine.split('\n').includes('description: Speed up lexer 2'), mine);
      assert.equal(conflictSideText(c, 'theirs'), '(deleted)');
      assert.equal(conflictSideText(c, 'base'), 'version 0');
      const columns = (await client.databases()).find((d) => d.name === 'todo')!.columns;
      assert.deepEqual(conflictSideText(c, 'ours', { columns }).split('\n').slice(0, 3), ['id: 2', 'keyword: TODO', 'area: driver'], 'in column order');
      assert.doesNotMatch(conflictSideLine(c, 'ours', 200), /[{}"\n]/, 'one line, no JSON');
      // The same from the JSON text alone (an older server without oursFields/deletedBy).
      const old: Conflict = { ...c, oursFields: undefined, theirsFields: undefined, deletedBy: undefined };
      assert.equal(conflictSideText(old, 'ours'), mine);
      assert.equal(conflictSideText(old, 'theirs'), '(deleted)');
      // Delete vs edit: a delete based on the view before an edit keeps the record; mine is the deletion.
      const r3 = await client.get('todo', '3');
      cli(dir, 'edit', 'todo', '3', 'status=closed');
      const del = await client.delete({ database: 'todo', id: '3', baseEtag: r3.etag });
      assert.equal(del.outcome, 'conflict');
      assert.equal(conflictSideText(del.conflicts[0], 'ours'), '(deleted)');
      assert.ok(conflictSideText(del.conflicts[0], 'theirs').split('\n').includes('status: closed'));
      // A field's conflict is its values, unchanged.
      assert.equal(conflictSideText(conflict({}), 'ours'), 'blocked');
    } finally {
      await client.stop();
      cleanup();
    }
  });

  it('Compare: each conflict (ids repeat across databases and after a resolve) gets its own side documents', () => {
    const a = conflictSidePath(conflict({}), 'mine');
    assert.notEqual(a, conflictSidePath(conflict({ database: 'task' }), 'mine'));
    assert.notEqual(a, conflictSidePath(conflict({ when: '2026-01-02T00:00:00.000Z', record: '5' }), 'mine'));
    assert.match(a, /todo #2 status \(mine\)\.txt$/);
    assert.match(conflictSidePath(conflict({ field: '*' }), 'theirs'), /todo #2 record \(theirs\)\.txt$/);
  });

  it('the priority picker offers one scale: the values the table uses, the common scale only when it has none', () => {
    assert.deepEqual(fieldValueChoices(['high', 'low', '', 'high'], ['P0', 'P1', 'P2', 'P3']), ['high', 'low']);
    assert.deepEqual(fieldValueChoices(['P2', 'P10', 'P1'], ['P0', 'P1']), ['P1', 'P2', 'P10']);
    assert.deepEqual(fieldValueChoices([''], ['P0', 'P1']), ['P0', 'P1']);
  });

  it('counts and tab titles read as English: "1 record", "todo #1 — title"', () => {
    assert.equal(plural(1, 'record'), '1 record');
    assert.equal(plural(0, 'record'), '0 records');
    assert.equal(recordDocumentLabel('todo', '1', 'Fix the lexer'), 'todo #1 — Fix the lexer');
    assert.equal(recordDocumentLabel('todo', '1', 'a/b\\c'), 'todo #1 — a b c', 'no path separators in a tab title');
    assert.equal(recordDocumentLabel('todo', '7', '(record 7)'), 'todo #7');
    assert.ok(recordDocumentLabel('todo', '1', 'x'.repeat(200)).length < 64);
  });

  it('a serverPath change that a remote window does not use is explained; a real change restarts', () => {
    assert.deepEqual(serverPathChange('', '/opt/sdndb', undefined).restart, true);
    const ignored = serverPathChange('/a/sdndb', '/a/sdndb', 'code-server');
    assert.equal(ignored.restart, false);
    assert.match(ignored.notice!, /this remote window \(code-server\) does not use/);
    assert.match(ignored.notice!, /Remote settings/);
    assert.match(ignored.notice!, /In use: \/a\/sdndb/);
    assert.deepEqual(serverPathChange('/a', '/a', undefined), { restart: false });
  });

  it('restored sdndb: record tabs activate the extension (onFileSystem:sdndb)', () => {
    const manifest = JSON.parse(readFileSync(path.join(EXT, 'package.json'), 'utf8'));
    assert.ok(manifest.activationEvents.includes('onFileSystem:sdndb'));
  });
});

describe('record documents: validation before save, conflicts on their line, new records', () => {
  const text = ['# sdndb record todo #3', 'id: 3', 'status: open', 'priority: P0', 'description: "half quoted', ''].join('\n');
  const opts = { id: '3', idColumn: 'id', columns: ['id', 'status', 'priority', 'description'] };

  it('accepts a valid document', () => {
    assert.deepEqual(validateRecordText(text.replace('"half quoted', '"whole"'), opts), []);
  });

  it('reports bad lines, unknown, repeated and missing fields, a changed id and a broken quoted value at their lines', () => {
    const p = validateRecordText(text, opts);
    assert.deepEqual(p.map((x) => [x.line, x.severity]), [[5, 'warning']]);
    const bad = validateRecordText(['id: 4', 'status open', 'colour: red', 'priority: P0', 'priority: P1', ''].join('\n'), opts);
    const by = (line: number) => bad.filter((x) => x.line === line).map((x) => x.message).join(' | ');
    assert.match(by(1), /cannot be changed/);
    assert.match(by(1), /missing fields status, description/);
    assert.match(by(2), /expected "field: value"/);
    assert.match(by(3), /no field "colour"/);
    assert.match(by(5), /appears twice \(first on line 4\)/);
  });

  it('finds the line of a field (for conflict squiggles)', () => {
    assert.equal(fieldLine(text, 'priority'), 4);
    assert.equal(fieldLine(text, 'nope'), 0);
  });

  it('a new-record document has every field and creates what was filled in (an empty id is generated)', () => {
    const t = formatNewRecord('todo', ['id', 'status', 'description'], 'id', { status: 'open' });
    assert.match(t, /^# New todo record/);
    assert.match(t, /\nid:\nstatus: open\ndescription:\n$/);
    assert.deepEqual(newRecordFromText(t.replace('description:', 'description: Write docs'), 'id'), { status: 'open', description: 'Write docs' });
  });
});

describe('sdndb check output → Problems', () => {
  it('parses file:line:col messages, warnings and errors with a caret line', () => {
    assert.deepEqual(parseCheckMessage('/w/bad_db.sdn:2:8: unterminated quoted string\n    1, "x\n       ^'),
      { file: '/w/bad_db.sdn', line: 2, column: 8, severity: 'error', message: 'unterminated quoted string' });
    assert.equal(parseCheckMessage('a.sdn:61:98: warning: unquoted text kept as a string: x')!.severity, 'warning');
    assert.equal(parseCheckMessage('no position here'), undefined);
  });

  it('maps the real `sdndb check --json` of a malformed file to its error at line and column', () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    try {
      writeFileSync(path.join(dir, 'bad_db.sdn'), 'bad |id, a|\n    1, "x\n');
      let out = '';
      try { out = cli(dir, 'check', '--json'); } catch (e) { out = (e as { stdout: string }).stdout; }
      const problems = checkProblems(JSON.parse(out));
      const bad = [...problems.entries()].find(([f]) => f.endsWith('bad_db.sdn'))![1];
      assert.deepEqual(bad.map((p) => [p.line, p.column, p.severity]), [[2, 8, 'error']]);
      assert.match(bad[0].message, /unterminated/);
      assert.deepEqual([...problems.entries()].filter(([f]) => f.endsWith('todo_db.sdn')).map(([, v]) => v), [[]]);
    } finally {
      cleanup();
    }
  });

  it('reports a malformed row (kept as text by the reader) at its line and column', () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    try {
      writeFileSync(path.join(dir, 'notes_db.sdn'), 'notes |id, a, b|\n    1, x, y\n    2, z\n    3, p, q\n');
      let out = '';
      try { out = cli(dir, 'check', '--json'); } catch (e) { out = (e as { stdout: string }).stdout; }
      const notes = [...checkProblems(JSON.parse(out)).entries()].find(([f]) => f.endsWith('notes_db.sdn'))![1];
      assert.deepEqual(notes.map((p) => [p.line, p.column, p.severity]), [[3, 5, 'error']]);
      assert.match(notes[0].message, /row has 2 cells, table 'notes' has 3 columns/);
    } finally {
      cleanup();
    }
  });

  it('a conflict whose base was never known (two CLI --expect edits) shows the base as unknown, not as ""', async () => {
    requireBinary();
    const { dir, cleanup } = exampleDir();
    const client = await startClient(dir);
    try {
      cliConflict(dir, 'todo', '2', 'status', 'blocked', 'closed');
      const [c] = await client.conflicts('todo');
      assert.ok(c, 'the CLI recorded a conflict');
      assert.equal(c.baseKnown, false, JSON.stringify(c));
      assert.equal(conflictSideText(c, 'base'), '(unknown)');
      const row = gridRow({ id: '2', version: 0, modified: '', line: 1, fields: {} }, [c], 'id');
      assert.equal(row.conflicts?.status?.base, '(unknown)');
      // A known empty base is shown as it is.
      assert.equal(conflictSideText({ ...c, base: '', baseKnown: true }, 'base'), '');
    } finally {
      await client.stop();
      cleanup();
    }
  });
});
