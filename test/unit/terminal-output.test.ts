import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printJson } from '../../src/cli/output.js';
import { formatLogLine } from '../../src/commands/log.js';
import { displayText, terminalLines } from '../../src/core/framing.js';
import { preview } from '../../src/core/validate.js';
import type { Message } from '../../src/core/types.js';

/** Every character a terminal may act on instead of showing (C0, DEL, C1, separators, bidi controls). */
const CONTROLS: number[] = [
  ...range(0x00, 0x1f),
  ...range(0x7f, 0x9f),
  0x061c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const base: Message = { id: '0000000000abcdefg', from: 'human:bob', to: 'ab12', text: 'x', sentAt: 0 };

function rawControls(s: string): string[] {
  return [...s].filter((c) => CONTROLS.includes(c.codePointAt(0)!)).map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

function jsonOut(value: unknown): string {
  let out = '';
  printJson({ stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }) }, value);
  return out;
}

describe('terminal output escapes C0, C1 and direction controls', () => {
  it(`log's human line: each of the ${CONTROLS.length} controls, alone and around text, in every field, is spelled out`, () => {
    for (const cp of CONTROLS) {
      const c = String.fromCodePoint(cp);
      const line = formatLogLine({ ...base, text: `a${c}b${c}`, from: `human:x${c}`, to: `${c}ab12`, replyTo: `${c}` });
      expect({ cp, raw: rawControls(line) }).toEqual({ cp, raw: [] });
      // Spelled as JSON would (\n, \t) or as \uXXXX: visible, and the text around it is kept.
      expect(line).toMatch(/a\\(u[0-9a-f]{4}|[bfnrt])b/);
    }
  });

  it('the whole range U+0000–U+00FF and U+2000–U+206F: only the controls change, the rest prints as itself', () => {
    const chars = [...range(0x00, 0xff), ...range(0x2000, 0x206f)].map((cp) => String.fromCodePoint(cp));
    const line = formatLogLine({ ...base, text: chars.join('') });
    expect(rawControls(line)).toEqual([]);
    for (const c of chars) {
      const cp = c.codePointAt(0)!;
      if (CONTROLS.includes(cp) || c === '"' || c === '\\') continue;
      expect(line.includes(c)).toBe(true);
    }
    // A CSI (U+009B) in particular.
    expect(formatLogLine({ ...base, text: '\u009b2J' })).toContain('\\u009b2J');
  });

  it('JSON output stays the same JSON value, with the controls spelled out', () => {
    for (const cp of CONTROLS) {
      const value = { text: `a${String.fromCodePoint(cp)}b`, list: [String.fromCodePoint(cp)] };
      const out = jsonOut(value);
      expect(rawControls(out.replace(/\n/g, ''))).toEqual([]);
      expect(JSON.parse(out)).toEqual(value);
    }
  });

  it('displayText (folder names for a model or a terminal) escapes the same set', () => {
    for (const cp of CONTROLS) expect(rawControls(displayText(`x${String.fromCodePoint(cp)}y`))).toEqual([]);
  });
});

describe('errors that quote what they refused', () => {
  it('preview() spells out every control and direction character, and the CLI error line keeps only its newlines', () => {
    for (const cp of CONTROLS) {
      const c = String.fromCodePoint(cp);
      expect({ cp, raw: rawControls(preview(`a${c}b`)) }).toEqual({ cp, raw: [] });
      const line = terminalLines(`first ${c} line\n  hint\t${c}`);
      expect({ cp, raw: rawControls(line.replace(/[\n\t]/g, '')) }).toEqual({ cp, raw: [] });
      expect(line.split('\n')).toHaveLength(cp === 0x0a ? 2 + 2 : 2);
    }
  });
});
