import { describe, expect, it } from 'vitest';
import { normalizePattern, patternMatches } from '../../src/core/globs.js';

describe('reservation patterns', () => {
  it('normalizes paths relative to the checkout and refuses ones that leave it', () => {
    expect(normalizePattern('./docs/', '/r')).toBe('docs/**');
    expect(normalizePattern('docs//a.md', '/r')).toBe('docs/a.md');
    expect(normalizePattern('/r/src/a.ts', '/r')).toBe('src/a.ts');
    expect(normalizePattern('.', '/r')).toBe('**');
    for (const bad of ['../x', 'a/../../b', '/etc/passwd', '', '  ', 'a\u0000b', 'x'.repeat(600)]) {
      expect(() => normalizePattern(bad, '/r'), bad).toThrow();
    }
    expect(() => normalizePattern(7, '/r')).toThrow(/empty/);
  });

  it('matches globs segment by segment, and a plain path with what is under it', () => {
    const yes: Array<[string, string]> = [
      ['docs/**', 'docs/a.md'],
      ['docs/**', 'docs/x/y/z.md'],
      ['docs', 'docs/a.md'],
      ['docs', 'docs'],
      ['src/*.ts', 'src/a.ts'],
      ['src/**/*.ts', 'src/a.ts'],
      ['src/**/*.ts', 'src/x/y/a.ts'],
      ['a?.ts', 'ab.ts'],
      ['**', 'anything/at/all'],
      ['file(1).[ts]', 'file(1).[ts]'],
    ];
    const no: Array<[string, string]> = [
      ['docs/**', 'docs'],
      ['docs/**', 'docsx/a.md'],
      ['docs', 'docs2/a.md'],
      ['src/*.ts', 'src/x/a.ts'],
      ['src/a.ts', 'src/a.ts.bak'],
      ['src/a.ts', 'src/A.ts'],
      ['a?.ts', 'a/.ts'],
      ['file(1).[ts]', 'file1.t'],
      ['**', '../outside'],
    ];
    for (const [p, f] of yes) expect(patternMatches(p, f), `${p} ~ ${f}`).toBe(true);
    for (const [p, f] of no) expect(patternMatches(p, f), `${p} !~ ${f}`).toBe(false);
  });
});
