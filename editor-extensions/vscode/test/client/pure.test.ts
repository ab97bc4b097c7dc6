// The pure parts of the client module: record text, presentation, binary lookup, throttling.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  diffRecord, findServer, formatRecord, groupKey, groupRecords, matchesFilter, NO_VALUE, parseRecordText, recordTitle, SdnRecord, Throttle,
} from '../../src/client';

const rec = (id: string, fields: Record<string, string>, version = 1): SdnRecord => ({ id, version, modified: '', fields: { id, ...fields }, line: 1 });

describe('record text', () => {
  it('round-trips every kind of value', () => {
    const r = rec('3', { status: 'open', description: 'Document the CLI 3', empty: '', spaced: '  x ', quote: '"q"', multi: 'a\nb', colon: 'a: b' }, 4);
    const text = formatRecord('todo', r);
    assert.match(text, /^# sdndb record todo #3 · version 4/);
    assert.match(text, /\nstatus: open\n/);
    assert.match(text, /\nspaced: "  x "\n/);
    assert.deepEqual(parseRecordText(text), r.fields);
  });

  it('diffs an edited document against its base', () => {
    const r = rec('3', { status: 'open', priority: 'P0' });
    const text = formatRecord('todo', r).replace('status: open', 'status: closed');
    assert.deepEqual(diffRecord(r, parseRecordText(text)), { status: 'closed' });
    assert.throws(() => diffRecord(r, parseRecordText(text.replace('id: 3', 'id: 4'))), /cannot be changed/);
    assert.throws(() => diffRecord(r, parseRecordText(text.replace('priority: P0\n', ''))), /missing/);
    assert.throws(() => parseRecordText('status open'), /line 1/);
    assert.throws(() => parseRecordText('a: 1\na: 2'), /twice/);
  });
});

describe('presentation', () => {
  const records = [
    rec('1', { status: 'closed', priority: 'P1', area: 'parser', description: 'one' }),
    rec('2', { status: 'open', priority: 'P0', area: 'driver', description: 'two' }),
    rec('3', { status: 'open', priority: 'P1', area: 'parser', description: 'three' }),
    rec('4', { status: 'blocked', priority: '', area: 'doc', description: 'four' }),
  ];
  const columns = ['id', 'status', 'priority', 'area', 'description'];

  it('groups by status, priority and area (falling back to category)', () => {
    assert.deepEqual(groupRecords(records, columns, 'status').map((g) => [g.key, g.records.length]), [['open', 2], ['blocked', 1], ['closed', 1]]);
    assert.deepEqual(groupRecords(records, columns, 'priority').map((g) => g.key), ['P0', 'P1', '(none)']);
    const feats = [rec('1', { category: 'Codegen' }), rec('2', { category: 'Language' })];
    assert.deepEqual(groupRecords(feats, ['id', 'category'], 'area').map((g) => g.key), ['Codegen', 'Language']);
  });

  it('puts a record in the group its key names (NO_VALUE when empty or ungrouped)', () => {
    assert.equal(groupKey(records[0], 'status'), 'closed');
    assert.equal(groupKey(records[3], 'priority'), NO_VALUE);
    assert.equal(groupKey(records[0], undefined), NO_VALUE);
    for (const g of groupRecords(records, columns, 'priority')) {
      for (const r of g.records) assert.equal(groupKey(r, 'priority'), g.key);
    }
  });

  it('filters on words and field:value', () => {
    assert.deepEqual(records.filter((r) => matchesFilter(r, 'parser')).map((r) => r.id), ['1', '3']);
    assert.deepEqual(records.filter((r) => matchesFilter(r, 'status:open P1')).map((r) => r.id), ['3']);
    assert.equal(records.filter((r) => matchesFilter(r, '')).length, 4);
  });

  it('titles records by title, name or description', () => {
    assert.equal(recordTitle(rec('1', { name: 'Variables', description: 'let' })), 'Variables');
    assert.equal(recordTitle(rec('1', { description: 'desc' })), 'desc');
    assert.equal(recordTitle(rec('9', {})), '(record 9)');
  });
});

describe('findServer', () => {
  it('prefers the setting, then build/server/sdndb above a workspace folder, then PATH', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sdndb-find-'));
    try {
      const mk = (p: string) => { mkdirSync(path.dirname(p), { recursive: true }); writeFileSync(p, '#!/bin/sh\n'); chmodSync(p, 0o755); return p; };
      const onPath = mk(path.join(root, 'bin/sdndb'));
      const ws = path.join(root, 'repo/sub');
      mkdirSync(ws, { recursive: true });
      assert.deepEqual(findServer({ workspaceFolders: [ws], envPath: path.join(root, 'bin') }), { path: onPath, source: 'PATH' });
      const built = mk(path.join(root, 'repo/build/server/sdndb'));
      assert.deepEqual(findServer({ workspaceFolders: [ws], envPath: path.join(root, 'bin') }), { path: built, source: 'workspace' });
      assert.deepEqual(findServer({ configured: '${workspaceFolder}/../../bin/sdndb', workspaceFolders: [ws] }), { path: onPath, source: 'setting' });
      const bad = findServer({ configured: '/nope/sdndb', workspaceFolders: [ws] });
      assert.ok('error' in bad && /sdndb.serverPath/.test(bad.error));
      const none = findServer({ workspaceFolders: [], envPath: '' });
      assert.ok('error' in none && /not found/.test(none.error));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Throttle', () => {
  it('runs the first request at once and coalesces a burst into one trailing run', async () => {
    const runs: string[][] = [];
    const t = new Throttle<string>(() => 80, (keys) => { runs.push([...keys].sort()); });
    t.request('a');
    await new Promise((r) => setTimeout(r, 10));
    t.request('b'); t.request('c'); t.request('b');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(runs, [['a'], ['b', 'c']]);
    t.dispose();
  });
});

describe('client module', () => {
  it('never imports vscode (so it runs under plain node)', () => {
    const dir = path.resolve(__dirname, '../../../src/client');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 8);
    for (const f of files) {
      assert.doesNotMatch(readFileSync(path.join(dir, f), 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, f);
    }
  });
});
