import { HOOK_ENTRIES } from '../../../src/claude/hook-spec.js';
/**
 * How a new user gets it (issue 13): `npm pack`, then `npx --package=<tgz> claude-intercom install
 * --yes` in an empty HOME (npx from a local tarball works offline), then the commands for people
 * exactly as install printed them. With a bin folder of the person's on PATH, install adds a
 * `claude-intercom` launcher and uninstall removes it; without one, it prints the exact command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../support/temp.js';

let tgz: string;

let packDir: string;
beforeAll(() => {
  // Not tempDir(): that one is removed after each test, and the tarball serves them all.
  const dir = (packDir = mkdtempSync(join(tmpdir(), 'ci-pack-')));
  // --ignore-scripts: prepack would rebuild dist/ under other tests; the tests run on the built one.
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1)!;
  tgz = join(dir, name);
}, 60_000);
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

function emptyHome() {
  const root = tempDir('ci-npx-');
  const home = join(root, 'home');
  mkdirSync(home);
  return { root, home };
}

function sh(command: string, home: string, path: string) {
  return spawnSync('/bin/sh', ['-c', command], { cwd: home, env: { HOME: home, PATH: path, USER: 'ada', npm_config_cache: join(home, '.npm'), npm_config_update_notifier: 'false' }, encoding: 'utf8', timeout: 60_000 });
}

const SYSTEM_PATH = `${process.execPath.replace(/\/node$/, '')}:/usr/local/bin:/usr/bin:/bin`;

describe('npx install from the packed tarball', () => {
  it('without a bin folder on PATH: prints the exact command, and that command works', () => {
    const { home } = emptyHome();
    const r = sh(`npx --yes --package=${tgz} claude-intercom install --yes`, home, SYSTEM_PATH);
    expect(r.status, r.stderr).toBe(0);
    const check = /Check the set-up: (.+) doctor$/m.exec(r.stdout);
    expect(check, r.stdout).not.toBeNull();
    const cmd = check![1]!;
    expect(cmd).toBe(`${process.execPath} ~/.claude-intercom/app/0.1.0/dist/cli.js`);
    expect(r.stdout).toContain(`Commands for people: ${cmd} who  |  ${cmd} send <code|all> <text>  |  ${cmd} log --follow`);
    expect(r.stdout).toContain('No ~/.local/bin or ~/bin on your PATH');
    expect(sh('command -v claude-intercom', home, SYSTEM_PATH).status).not.toBe(0);
    // Exactly as printed, in a plain shell after npx has gone.
    const who = sh(`${cmd} who --all`, home, SYSTEM_PATH);
    expect(who.status, who.stderr).toBe(0);
    expect(who.stdout).toBe('No live sessions.\n');
    const log = sh(`${cmd} log`, home, SYSTEM_PATH);
    expect(log.stdout).toBe('No messages yet.\n');
    const doctor = sh(`${cmd} doctor --no-self-test`, home, SYSTEM_PATH);
    expect(doctor.stdout).toContain(`Installed entries: user scope: MCP server, ${HOOK_ENTRIES.length} hooks, skill`);
  });

  it('with ~/.local/bin on PATH: a claude-intercom launcher that uninstall removes again', () => {
    const { home } = emptyHome();
    const path = `${join(home, '.local', 'bin')}:${SYSTEM_PATH}`;
    const r = sh(`npx --yes --package=${tgz} claude-intercom install --yes`, home, path);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Check the set-up: claude-intercom doctor');
    const launcher = join(home, '.local', 'bin', 'claude-intercom');
    expect(readFileSync(launcher, 'utf8')).toContain(`exec ${process.execPath} ${join(home, '.claude-intercom', 'app', '0.1.0', 'dist', 'cli.js')} "$@"`);
    const who = sh('claude-intercom who --all', home, path);
    expect(who.status, who.stderr).toBe(0);
    expect(who.stdout).toBe('No live sessions.\n');
    const un = sh('claude-intercom uninstall --yes', home, path);
    expect(un.status, un.stderr).toBe(0);
    expect(un.stdout).toContain('delete the `claude-intercom` command install added');
    expect(existsSync(launcher)).toBe(false);
    // The folder install created for it goes too; what stays in ~/.claude-intercom is said.
    expect(existsSync(join(home, '.local'))).toBe(false);
    expect(un.stdout).toMatch(/Left in ~\/\.claude-intercom: backups .*To delete it too: rm -rf ~\/\.claude-intercom/);
  });

  it('--no-bin: no launcher, the exact command instead', () => {
    const { home } = emptyHome();
    const path = `${join(home, '.local', 'bin')}:${SYSTEM_PATH}`;
    const r = sh(`npx --yes --package=${tgz} claude-intercom install --yes --no-bin`, home, path);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(home, '.local', 'bin', 'claude-intercom'))).toBe(false);
    expect(r.stdout).toContain(`Check the set-up: ${process.execPath} ~/.claude-intercom/app/0.1.0/dist/cli.js doctor`);
  });
});
