import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../support/processes.js';
import { tempDir } from '../../support/temp.js';
import { snapshot } from './support/bundle.js';

/**
 * A cross-check through the built binary of what the installer's own tests cover in depth:
 * a config file it must not write is left byte for byte as it was, and nothing else is written.
 */
describe('install through the built binary refuses configs it must not touch', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['malformed', '{ "hooks": { oops,, }\n', 0o600, /syntax error/],
    ['truncated', '{\n  "model": "opus",\n  "hooks": {\n', 0o600, /settings\.json/],
    ['read-only', '{\n  "model": "opus"\n}\n', 0o444, /read-only.*chmod u\+w/s],
  ];
  for (const [what, bytes, mode, message] of cases) {
    it(`${what} ~/.claude/settings.json: exit non-zero, file bytes unchanged, nothing else written`, async () => {
      const home = tempDir('ci-rel-install-');
      const file = join(home, '.claude', 'settings.json');
      mkdirSync(join(home, '.claude'));
      writeFileSync(file, bytes);
      chmodSync(file, mode);
      const before = snapshot(home);
      const r = await spawnCli(['install', '--yes', '--scope', 'user'], { HOME: home, CLAUDE_INTERCOM_HOME: join(home, '.ci'), USER: 'tester' }).exited;
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/Nothing was written/);
      expect(readFileSync(file, 'utf8')).toBe(bytes);
      expect(snapshot(home)).toEqual(before);
    }, 30_000);
  }
});
