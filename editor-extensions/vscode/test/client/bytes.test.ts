// Bytes are bytes (docs/protocol.md, "The byte escape"), against the real binary: a field with invalid
// UTF-8 arrives as U+10FF00+byte, survives the record document's text form, and a write that sends it
// back (unchanged, or with text added) keeps the byte in the file byte for byte.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { diffRecord, editBase, formatRecord, parseRecordText, SdndbClient } from '../../src/client';
import { exampleDir, startClient } from './helpers';

const FF = '\u{10FFFF}'; // how the byte 0xFF travels
const RAW = Buffer.from([0x46, 0x69, 0x78, 0x20, 0xff, 0x20, 0x43, 0x52, 0x4c, 0x46]); // "Fix \xFF CRLF"

describe('invalid UTF-8 through the client (the byte escape)', () => {
  let dir: string;
  let cleanup: () => void;
  let client: SdndbClient;
  const file = () => path.join(dir, 'todo_db.sdn');
  const bytes = () => readFileSync(file());
  const row5 = () => {
    const all = bytes();
    const start = all.indexOf('\n    5, ');
    return all.subarray(start + 1, all.indexOf('\n', start + 1));
  };

  before(async () => {
    ({ dir, cleanup } = exampleDir());
    // Record 5's description becomes "Fix <FF> CRLF" (one byte that is not UTF-8).
    const text = readFileSync(file());
    const from = Buffer.from('"Fix CRLF handling 5"');
    const at = text.indexOf(from);
    assert.ok(at > 0);
    writeFileSync(file(), Buffer.concat([text.subarray(0, at), RAW, text.subarray(at + from.length)]));
    client = await startClient(dir);
  });
  after(async () => {
    await client?.stop();
    cleanup();
  });

  it('list and get show the byte as U+10FFFF (not U+FFFD)', async () => {
    const res = await client.list({ database: 'todo' });
    const r = res.records.find((x) => x.id === '5')!;
    assert.equal(r.fields.description, `Fix ${FF} CRLF`);
    assert.equal((await client.get('todo', '5')).fields.description, `Fix ${FF} CRLF`);
  });

  it('list -> update of another field with every field sent back: the byte stays', async () => {
    const r = (await client.list({ database: 'todo' })).records.find((x) => x.id === '5')!;
    const { id: _id, ...fields } = r.fields;
    const out = await client.apply({ database: 'todo', edits: [{ id: r.id, changes: { ...fields, area: 'bytes' }, base: editBase(r) }] });
    assert.equal(out.edits[0].status, 'ok', JSON.stringify(out.edits[0]));
    const line = row5();
    assert.ok(line.includes(RAW), `row 5 keeps the byte: ${JSON.stringify(line.toString('latin1'))}`);
    assert.ok(line.includes(Buffer.from('bytes')));
    assert.ok(!bytes().includes(Buffer.from('\uFFFD')), 'no U+FFFD in the file');
  });

  it('the record document (text form): appending to the value keeps the byte', async () => {
    const r = await client.get('todo', '5');
    const text = formatRecord('todo', r);
    assert.ok(text.includes(`description: Fix ${FF} CRLF`), text);
    const edited = parseRecordText(text.replace(`Fix ${FF} CRLF`, `Fix ${FF} CRLF more`));
    const changes = diffRecord(r, edited);
    assert.deepEqual(changes, { description: `Fix ${FF} CRLF more` });
    const res = await client.edit({ database: 'todo', id: '5', changes, base: editBase(r) });
    assert.equal(res.outcome, 'applied');
    assert.equal(res.record.fields.description, `Fix ${FF} CRLF more`);
    assert.ok(row5().includes(Buffer.concat([RAW, Buffer.from(' more')])), row5().toString('latin1'));
  });
});
