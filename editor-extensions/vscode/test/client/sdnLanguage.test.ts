// SDN as a language: the TextMate grammar (tokenized with vscode-textmate, the engine VS Code uses)
// and the outline behind document symbols and "Open Record at Cursor".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { rowAt, sdnOutline, splitCells } from '../../src/client';
import { EXAMPLES } from './helpers';

const EXT = path.resolve(__dirname, '../../..');

const SAMPLE = [
  '# A comment line',
  'todos |id, status, description|   # trailing comment',
  '    1, open, "Fix the \\"lexer\\", again"',
  '    2, closed, plain words here',
  '',
  'config:',
  '    name: demo',
  '    retries: 3',
  'tags = [alpha, "beta", 2]',
  'point = {x: 1.5, y: -2, ok: true}',
  'shape |x, y| 10, 20',
].join('\n');

describe('SDN TextMate grammar', () => {
  let grammar: textmate.IGrammar;
  before(async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async () => textmate.parseRawGrammar(readFileSync(path.join(EXT, 'syntaxes/sdn.tmLanguage.json'), 'utf8'), 'sdn.tmLanguage.json'),
    });
    grammar = (await registry.loadGrammar('source.sdn'))!;
  });

  /** [text, innermost scope] of every token of every line. */
  function tokens(text: string): [string, string][][] {
    let stack = textmate.INITIAL;
    return text.split('\n').map((line) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]] as [string, string]);
    });
  }
  const scopeOf = (lineTokens: [string, string][], text: string) => lineTokens.find(([t]) => t === text)?.[1];

  it('marks tables, their field names, strings, comments, keys, numbers, dicts and arrays', () => {
    const t = tokens(SAMPLE);
    assert.equal(t[0][0][1], 'comment.line.number-sign.sdn');
    assert.equal(scopeOf(t[1], 'todos'), 'entity.name.type.table.sdn');
    assert.equal(scopeOf(t[1], 'status'), 'variable.other.field.sdn');
    assert.equal(scopeOf(t[1], '# trailing comment'), 'comment.line.number-sign.sdn');
    assert.equal(scopeOf(t[2], 'Fix the '), 'string.quoted.double.sdn');
    assert.equal(scopeOf(t[2], '\\"'), 'constant.character.escape.sdn');
    assert.equal(scopeOf(t[2], '1'), 'constant.numeric.sdn');
    assert.equal(scopeOf(t[3], 'closed'), 'string.unquoted.sdn');
    assert.equal(scopeOf(t[5], 'config'), 'variable.other.property.sdn');
    assert.equal(scopeOf(t[7], '3'), 'constant.numeric.sdn');
    assert.equal(scopeOf(t[8], '['), 'punctuation.definition.array.begin.sdn');
    assert.equal(scopeOf(t[8], 'beta'), 'string.quoted.double.sdn');
    assert.equal(scopeOf(t[9], '{'), 'punctuation.definition.dict.begin.sdn');
    assert.equal(scopeOf(t[9], 'x'), 'variable.other.property.sdn');
    assert.equal(scopeOf(t[9], 'true'), 'constant.language.sdn');
    assert.equal(scopeOf(t[10], 'shape'), 'entity.name.type.table.sdn');
  });

  it('tokenizes the example databases with a table on the first header line', () => {
    const text = readFileSync(path.join(EXAMPLES, 'todo_db.sdn'), 'utf8');
    const t = tokens(text);
    const header = text.split('\n').findIndex((l) => l.startsWith('todos |'));
    assert.equal(scopeOf(t[header], 'todos'), 'entity.name.type.table.sdn');
    assert.equal(scopeOf(t[header + 1], 'Document the CLI 1'), 'string.quoted.double.sdn');
  });
});

describe('SDN outline', () => {
  it('finds tables with columns and rows, short-form tables and top-level keys', () => {
    const o = sdnOutline(SAMPLE);
    assert.deepEqual(o.tables.map((t) => [t.name, t.line, t.endLine, t.rows.length]), [['todos', 2, 4, 2], ['shape', 11, 11, 1]]);
    assert.deepEqual(o.tables[0].columns, ['id', 'status', 'description']);
    assert.deepEqual(o.tables[0].rows[0].cells, ['1', 'open', 'Fix the "lexer", again']);
    assert.deepEqual(o.tables[1].rows[0].cells, ['10', '20']);
    assert.deepEqual(o.keys.map((k) => [k.name, k.line]), [['config', 6], ['tags', 9], ['point', 10]]);
  });

  it('finds the row at a line', () => {
    const o = sdnOutline(SAMPLE);
    assert.equal(rowAt(o, 4)?.row?.cells[0], '2');
    assert.equal(rowAt(o, 2)?.row, undefined, 'the header line is no row');
    assert.equal(rowAt(o, 7), undefined, 'not in a table');
  });

  it('splits cells: quotes, escapes, empty cells and trailing comments', () => {
    assert.deepEqual(splitCells('1, "", x  y, "a,b" # note'), ['1', '', 'x  y', 'a,b']);
    assert.deepEqual(splitCells('a, b,'), ['a', 'b', '']);
    assert.deepEqual(splitCells('file.md#section, x'), ['file.md#section', 'x']);
    assert.deepEqual(splitCells('"say ""hi""", "", x'), ['say "hi"', '', 'x'], 'CSV-style doubled quotes (corpus 19)');
  });

  it('outlines every table of every corpus file without losing rows', () => {
    const dir = path.resolve(EXT, '../../tests/data/corpus');
    const files = require('node:fs').readdirSync(dir).filter((f: string) => f.endsWith('.sdn'));
    assert.ok(files.length > 5, `corpus files in ${dir}`);
    let tables = 0;
    for (const f of files) {
      const o = sdnOutline(readFileSync(path.join(dir, f), 'utf8'));
      for (const t of o.tables) {
        tables++;
        for (const r of t.rows) assert.ok(r.line >= t.line && r.line <= t.endLine, `${f}: row line inside ${t.name}`);
      }
    }
    assert.ok(tables > files.length, `several tables per file on average (${tables} in ${files.length} files)`);
  });
});
