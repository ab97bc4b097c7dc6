// The table editor's model (vscode-free): columns, value pickers, conflicts in cells, live patches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGridState, columnWidth, Conflict, diffGridRows, pickerValues, SdnRecord } from '../../src/client';

const rec = (id: string, line: number, fields: Record<string, string>, version = 0): SdnRecord =>
  ({ id, version, modified: '', line, fields: { id, ...fields } });

describe('grid model', () => {
  const records = [
    rec('2', 4, { status: 'open', priority: 'P10', title: 'b' }),
    rec('1', 3, { status: 'closed', priority: 'P2', title: 'a' }),
    rec('3', 0, { status: 'open', priority: 'P2', title: 'c' }),
    rec('4', 5, { status: 'open', priority: 'P10', title: 'd' }),
  ];
  const conflict: Conflict = { id: 'c1', database: 'todo', record: '2', field: 'status', base: 'open', ours: 'blocked', theirs: 'open', who: '', when: '' };
  const whole: Conflict = { ...conflict, id: 'c2', record: '4', field: '*', ours: '<deleted>', theirs: '{}' };
  const state = buildGridState({
    database: 'todo', path: '/x/todo_db.sdn', table: 'todos', idColumn: 'id', columns: ['id', 'status', 'priority', 'title'],
    records, conflicts: [conflict, whole],
  });

  it('has one row per record in file order (appended rows last) and one column per field', () => {
    assert.deepEqual(state.rows.map((r) => r.id), ['1', '2', '4', '3']);
    assert.deepEqual(state.columns.map((c) => c.field), ['id', 'status', 'priority', 'title']);
    assert.equal(state.columns[0].editable, false, 'the id column is not edited in place');
    assert.deepEqual(state.tables, [{ name: 'todos', count: 4 }]);
  });

  it('offers value pickers for columns with few repeating values, in natural order', () => {
    assert.deepEqual(state.columns.find((c) => c.field === 'status')!.values, ['closed', 'open']);
    assert.deepEqual(state.columns.find((c) => c.field === 'priority')!.values, ['P2', 'P10']);
    assert.equal(state.columns.find((c) => c.field === 'title')!.values, undefined, 'all-distinct text is free text');
    assert.equal(pickerValues(records, 'missing'), undefined);
    const many = Array.from({ length: 40 }, (_, i) => rec(String(i), i + 1, { k: `v${i % 13}` }));
    assert.equal(pickerValues(many, 'k'), undefined, 'more than 12 distinct values: free text');
  });

  it('puts conflicts on their cells; a whole-record conflict on the id cell', () => {
    assert.deepEqual(state.rows.find((r) => r.id === '2')!.conflicts, { status: { id: 'c1', field: 'status', base: 'open', ours: 'blocked', theirs: 'open' } });
    assert.equal(state.rows.find((r) => r.id === '4')!.conflicts!.id.field, '*');
    assert.equal(state.rows.find((r) => r.id === '1')!.conflicts, undefined);
  });

  it('sizes columns from their longest value within bounds', () => {
    assert.equal(columnWidth([rec('1', 1, { t: 'x'.repeat(500) })], 't'), 420);
    assert.equal(columnWidth([rec('1', 1, { t: 'x' })], 't'), 60);
  });

  it('patches only the rows that changed, were added or removed', () => {
    const next = buildGridState({
      database: 'todo', path: '/x/todo_db.sdn', table: 'todos', idColumn: 'id', columns: ['id', 'status', 'priority', 'title'],
      records: [records[0], { ...records[1], version: 1, fields: { ...records[1].fields, title: 'A' } }, records[3], rec('5', 0, { status: 'open', priority: 'P2', title: 'e' })],
      conflicts: [whole],
    });
    const patch = diffGridRows(state.rows, next.rows);
    assert.deepEqual(patch.upsert.map((r) => r.id).sort(), ['1', '2', '5'], '1 edited, 2 lost its conflict, 5 added');
    assert.deepEqual(patch.remove, ['3']);
    assert.deepEqual(diffGridRows(next.rows, next.rows), { upsert: [], remove: [] });
  });
});
