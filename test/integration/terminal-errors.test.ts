import { describe, expect, it } from 'vitest';
import { spawnCli } from '../support/processes.js';
import { tempDir } from '../support/temp.js';

/** C0 (but newline), DEL, C1, separators and bidi controls: none may reach a terminal raw. */
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) => i !== 0x0a && i !== 0), // NUL cannot be an argument
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];

describe('the CLI never echoes a control character it refused', () => {
  it('send to a hostile code: a clear error, exit 2, every control spelled out', async () => {
    const home = tempDir('ci-term-');
    const env = { CLAUDE_INTERCOM_HOME: `${home}/store`, HOME: home, USER: 'tester' };
    // In chunks: the error quotes the first 40 characters of what it refused.
    for (let i = 0; i < CONTROLS.length; i += 12) {
      const bad = `x${CONTROLS.slice(i, i + 12).map((cp) => String.fromCodePoint(cp)).join('')}`;
      const r = await spawnCli(['send', bad, 'hi'], env).exited;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Invalid recipient/);
      const raw = [...r.stderr.replace(/\n/g, '')].filter((c) => CONTROLS.includes(c.codePointAt(0)!));
      expect(raw.map((c) => c.codePointAt(0)!.toString(16))).toEqual([]);
    }
  });
});
