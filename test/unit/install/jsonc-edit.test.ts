import { describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../../src/install/errors.js';
import { JsonDoc, checkStrict, detectFormat, strictIssues } from '../../../src/install/jsonc-edit.js';

function refuse(text: string, file = '/h/.claude/settings.json'): ConfigFileError {
  try {
    checkStrict(file, text);
  } catch (err) {
    if (err instanceof ConfigFileError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('strict parsing', () => {
  it('names a line comment with its line and column', () => {
    const e = refuse('{\n  "a": 1, // why\n  "b": 2\n}\n');
    expect(e.problem).toBe('comment');
    expect([e.line, e.column]).toEqual([2, 11]);
    expect(e.message).toContain('/h/.claude/settings.json:2:11');
    expect(e.message).toContain('ignores this whole settings file');
  });

  it('names a block comment', () => {
    const e = refuse('/* hi */ {"a": 1}');
    expect(e.problem).toBe('comment');
    expect([e.line, e.column]).toEqual([1, 1]);
  });

  it('names a trailing comma in an object and in an array, at the comma', () => {
    const e = refuse('{\n  "a": [1, 2,],\n  "b": 1\n}', '/h/.claude.json');
    expect(e.problem).toBe('trailing-comma');
    expect([e.line, e.column]).toEqual([2, 13]);
    expect(e.message).toContain('treats a .claude.json like this as corrupted');
    const e2 = refuse('{"a": 1,\n}');
    expect([e2.problem, e2.line, e2.column]).toEqual(['trailing-comma', 1, 8]);
  });

  it('names other syntax errors', () => {
    const e = refuse('{\n  "a": 1\n  "b": 2\n}');
    expect(e.problem).toBe('syntax');
    expect(e.line).toBe(3);
    expect(refuse("{'a': 1}").problem).toBe('syntax');
    expect(refuse('{"a": 1} {"b": 2}').problem).toBe('syntax');
  });

  it('refuses a JSON value that is not an object', () => {
    expect(refuse('[]').problem).toBe('not-an-object');
    expect(refuse('"x"').problem).toBe('not-an-object');
  });

  it('accepts strict JSON, a BOM and an empty file', () => {
    expect(() => checkStrict('f', '{"a": [1, {"b": null}]}')).not.toThrow();
    expect(() => checkStrict('f', '\uFEFF{"a": 1}\n')).not.toThrow();
    expect(() => checkStrict('f', '')).not.toThrow();
    expect(() => checkStrict('f', '  \n')).not.toThrow();
    expect(strictIssues('{"url": "http://x//y", "c": "/* no */"}')).toEqual([]);
  });
});

describe('format detection', () => {
  it('finds tabs, spaces, CRLF, BOM and one-line files', () => {
    expect(detectFormat('{\n\t"a": 1\n}').unit).toBe('\t');
    expect(detectFormat('{\n    "a": {\n        "b": 1\n    }\n}').unit).toBe('    ');
    expect(detectFormat('{\r\n  "a": 1\r\n}').eol).toBe('\r\n');
    expect(detectFormat('\uFEFF{}').bom).toBe(true);
    expect(detectFormat('{"a":1}').oneLine).toBe(true);
    expect(detectFormat('{}\n').oneLine).toBe(false);
  });
});

describe('JsonDoc edits', () => {
  it('appends a key with the file’s indentation and keeps everything else', () => {
    const doc = new JsonDoc('f', '{\n\t"a": 1,\n\t"b": {"c": 2}\n}');
    doc.set(['m'], { x: [1] });
    expect(doc.text()).toBe('{\n\t"a": 1,\n\t"b": {"c": 2},\n\t"m": {\n\t\t"x": [\n\t\t\t1\n\t\t]\n\t}\n}');
  });

  it('keeps a one-line file on one line, with its own separators', () => {
    const doc = new JsonDoc('f', '{"a":1,"b":[]}');
    doc.set(['m'], { x: 'y' });
    doc.append(['b'], 'z');
    expect(doc.text()).toBe('{"a":1,"b":["z"],"m":{"x":"y"}}');
  });

  it('keeps CRLF and a BOM', () => {
    const doc = new JsonDoc('f', '\uFEFF{\r\n  "a": 1\r\n}\r\n');
    doc.set(['m'], [1]);
    expect(doc.text()).toBe('\uFEFF{\r\n  "a": 1,\r\n  "m": [\r\n    1\r\n  ]\r\n}\r\n');
  });

  it('writes an empty file as a small object with a final newline, and leaves it alone when untouched', () => {
    const doc = new JsonDoc('f', '');
    expect(doc.text()).toBe('');
    doc.set(['m'], 1);
    expect(doc.text()).toBe('{\n  "m": 1\n}\n');
  });

  it('removal is the exact inverse of an append, for keys and array items', () => {
    const cases = ['{\n  "a": 1\n}\n', '{}', '{\n    "a": [\n        1\n    ]\n}', '{"a":1}', '{\n\t"a": [],\n\t"b": 2\n}'];
    for (const original of cases) {
      const doc = new JsonDoc('f', original);
      doc.set(['new'], { deep: { list: [1, 2] } });
      doc.remove(['new']);
      expect(doc.text()).toBe(original);
    }
    const arr = new JsonDoc('f', '{\n  "a": ["x"],\n  "b": []\n}');
    arr.append(['a'], 'y');
    arr.append(['b'], { k: 1 });
    arr.remove(['a', 1]);
    arr.remove(['b', 0]);
    expect(arr.text()).toBe('{\n  "a": ["x"],\n  "b": []\n}');
  });

  it('replaces a value in place', () => {
    const doc = new JsonDoc('f', '{\n  "s": {\n    "intercom": {"command": "npx"},\n    "z": 1\n  }\n}');
    doc.set(['s', 'intercom'], { command: 'node' });
    expect(doc.text()).toBe('{\n  "s": {\n    "intercom": {\n      "command": "node"\n    },\n    "z": 1\n  }\n}');
  });

  it('removes the first of several members without touching the others', () => {
    const doc = new JsonDoc('f', '{\n  "a": 1,\n  "b": 2\n}');
    doc.remove(['a']);
    expect(doc.text()).toBe('{\n  "b": 2\n}');
  });
});
