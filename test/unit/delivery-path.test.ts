import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, decideDeliveryPath, gatherPathFacts, type PathFacts } from '../../src/claude/delivery-path.js';
import { tempDir } from '../support/temp.js';

const usable: PathFacts = {
  socketPath: '/run/user/1/cc-socks/42.sock',
  socketExists: true,
  claudeVersion: '2.1.332',
  printMode: false,
  crossSessionInbound: [],
  bypassPermissions: undefined,
};

describe('decideDeliveryPath', () => {
  it('takes the socket where Claude Code delivers a post at once', () => {
    expect(decideDeliveryPath(usable)).toEqual({ path: 'socket', reason: 'Claude Code 2.1.332 inbox socket' });
    expect(decideDeliveryPath({ ...usable, claudeVersion: '2.1.224' }).path).toBe('socket');
    expect(decideDeliveryPath({ ...usable, crossSessionInbound: [{ value: 'accept', source: 'u' }] }).path).toBe('socket');
  });

  it.each<[string, Partial<PathFacts>, RegExp]>([
    ['a version before the socket', { claudeVersion: '2.1.223' }, /2\.1\.223 has no inbox socket/],
    ['an unknown version', { claudeVersion: undefined }, /did not say its version/],
    ['bare mode (no socket variable)', { socketPath: undefined }, /bare mode/],
    ['a socket file that is gone', { socketExists: false }, /is missing/],
    ['print mode', { printMode: true }, /print mode/],
    ['crossSessionInbound hold', { crossSessionInbound: [{ value: 'hold', source: '/p/.claude/settings.json' }] }, /"hold" in \/p\/\.claude\/settings\.json/],
    ['crossSessionInbound refuse in one scope, accept in another', { crossSessionInbound: [{ value: 'accept', source: 'a' }, { value: 'refuse', source: 'b' }] }, /"refuse" in b/],
    ['an invalid crossSessionInbound (Claude Code holds)', { crossSessionInbound: [{ value: 'yes', source: 'u' }] }, /"yes"/],
    ['bypass permissions without an explicit accept', { bypassPermissions: '--dangerously-skip-permissions' }, /bypasses permissions/],
  ])('falls back to the hooks for %s', (_name, change, reason) => {
    const d = decideDeliveryPath({ ...usable, ...change });
    expect(d.path).toBe('hooks');
    expect(d.reason).toMatch(reason);
  });

  it('lets an explicit accept win over bypass permissions (as Claude Code does)', () => {
    expect(decideDeliveryPath({ ...usable, bypassPermissions: 'x', crossSessionInbound: [{ value: 'accept', source: 'u' }] }).path).toBe('socket');
  });

  it('compares versions numerically', () => {
    expect(compareVersions('2.1.224', '2.1.99')).toBe(1);
    expect(compareVersions('2.1.224', '2.1.224')).toBe(0);
    expect(compareVersions('2.0.999', '2.1.0')).toBe(-1);
    expect(compareVersions('2.1.224-beta.1', '2.1.224')).toBe(0);
  });
});

describe('gatherPathFacts', () => {
  it('reads crossSessionInbound and defaultMode from the user, project and local settings, skipping files Claude Code would ignore', () => {
    const home = tempDir();
    const project = join(home, 'proj');
    mkdirSync(join(home, '.claude'), { recursive: true });
    mkdirSync(join(project, '.claude'), { recursive: true });
    writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ crossSessionInbound: 'accept' }));
    writeFileSync(join(project, '.claude', 'settings.json'), '{ "crossSessionInbound": "refuse", }'); // trailing comma: ignored by Claude Code
    writeFileSync(join(project, '.claude', 'settings.local.json'), JSON.stringify({ crossSessionInbound: 'hold', permissions: { defaultMode: 'bypassPermissions' } }));
    const facts = gatherPathFacts({ env: {}, homeDir: home, claudePid: process.pid, claudeVersion: '2.1.332', projectDir: project });
    expect(facts.crossSessionInbound).toEqual([
      { value: 'accept', source: join(home, '.claude', 'settings.json') },
      { value: 'hold', source: join(project, '.claude', 'settings.local.json') },
    ]);
    expect(facts.bypassPermissions).toContain('settings.local.json');
    expect(facts.socketPath).toBeUndefined();
    expect(decideDeliveryPath(facts).path).toBe('hooks');
  });

  it('honours CLAUDE_CONFIG_DIR for the user scope, and sees the socket only when it is one', () => {
    const home = tempDir();
    const config = join(home, 'cfg');
    mkdirSync(config);
    writeFileSync(join(config, 'settings.json'), JSON.stringify({ crossSessionInbound: 'refuse' }));
    const notASocket = join(home, 'plain-file');
    writeFileSync(notASocket, '');
    const facts = gatherPathFacts({
      env: { CLAUDE_CONFIG_DIR: config, CLAUDE_CODE_MESSAGING_SOCKET: notASocket },
      homeDir: home,
      claudePid: process.pid,
      claudeVersion: '2.1.332',
      projectDir: join(home, 'none'),
    });
    expect(facts.crossSessionInbound).toEqual([{ value: 'refuse', source: join(config, 'settings.json') }]);
    expect(facts.socketPath).toBe(notASocket);
    expect(facts.socketExists).toBe(false);
  });
});
