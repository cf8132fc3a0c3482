/** The clack wizard, driven through fake terminal streams: keys in, screen text out. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run as install } from '../../../src/commands/install.js';
import { run as uninstall } from '../../../src/commands/uninstall.js';
import { NODE, makeWorld, read, snapshot, type World } from '../../unit/install/support.js';

class Screen extends Writable {
  text = '';
  private waiters: Array<{ needle: string; from: number; resolve: () => void }> = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    this.waiters = this.waiters.filter((w) => {
      if (this.text.indexOf(w.needle, w.from) === -1) return true;
      w.resolve();
      return false;
    });
    cb();
  }
  /** Resolves once `needle` has been written after position `from` (default: now). */
  waitFor(needle: string, from = this.text.length): Promise<void> {
    if (this.text.indexOf(needle, from) !== -1) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ needle, from, resolve }));
  }
}

const KEY = { down: '\x1b[B', enter: '\r', space: ' ', ctrlC: '\x03' };

let worlds: World[] = [];
afterEach(() => {
  for (const w of worlds) w.cleanup();
  worlds = [];
});

function setup() {
  const w = makeWorld();
  worlds.push(w);
  const input = new PassThrough();
  const output = new Screen();
  return { w, input, output, deps: { packageRoot: w.pkg, nodePath: NODE, wizard: { input, output } } };
}

describe('install wizard', () => {
  it('asks scope and parts, shows the diff, and writes only after yes', async () => {
    const { w, input, output, deps } = setup();
    const done = install(w.ctx, {}, deps);

    await output.waitFor('Where should intercom be set up?', 0);
    input.write(KEY.down); // "Only in this project"
    input.write(KEY.enter);
    await output.waitFor('Which parts?', 0);
    input.write(KEY.down);
    input.write(KEY.down);
    input.write(KEY.space); // untick "Skill"
    input.write(KEY.enter);
    await output.waitFor('Write these changes?', 0);
    // The plan is on screen before the question, and nothing is written yet.
    expect(output.text).toContain(`+++ b${join(w.home, '.claude.json')}`);
    expect(output.text).toContain(`projects[${JSON.stringify(w.project)}].mcpServers.intercom`);
    expect(existsSync(join(w.home, '.claude.json'))).toBe(false);
    input.write(KEY.enter);

    expect(await done).toBe(0);
    expect(read(join(w.home, '.claude.json'))).toContain('"intercom"');
    expect(read(join(w.project, '.claude', 'settings.local.json'))).toContain('"asyncRewake": true');
    expect(existsSync(join(w.project, '.claude', 'skills'))).toBe(false);
    expect(existsSync(join(w.project, '.mcp.json'))).toBe(false);
    expect(existsSync(join(w.project, '.claude', 'settings.json'))).toBe(false);
    expect(output.text).toContain('intercom is installed.');
  });

  it('skips the questions that flags already answered', async () => {
    const { w, input, output, deps } = setup();
    const done = install(w.ctx, { scope: 'user', skill: false }, deps);
    await output.waitFor('Write these changes?', 0);
    expect(output.text).not.toContain('Where should intercom be set up?');
    expect(output.text).not.toContain('Which parts?');
    input.write('n');
    input.write(KEY.enter);
    expect(await done).toBe(1);
    expect(output.text).toContain('Cancelled; nothing was written.');
    expect(snapshot(w.home).size).toBe(0);
    expect(existsSync(w.intercomHome)).toBe(false);
  });

  it('asks before adding a `claude-intercom` command, where one can go; yes adds it, no does not', async () => {
    for (const answer of ['y', 'n']) {
      const { w, input, output, deps } = setup();
      w.ctx.env.PATH = `${join(w.home, '.local', 'bin')}:/usr/bin:/bin`;
      const done = install(w.ctx, { scope: 'user' }, deps);
      await output.waitFor('Which parts?', 0);
      input.write(KEY.enter);
      await output.waitFor('Add a `claude-intercom` command for you', 0);
      input.write(answer);
      input.write(KEY.enter);
      await output.waitFor('Write these changes?', 0);
      input.write(KEY.enter);
      expect(await done).toBe(0);
      expect(existsSync(join(w.home, '.local', 'bin', 'claude-intercom')), answer).toBe(answer === 'y');
    }
  });

  it('Ctrl+C at the first question writes nothing', async () => {
    const { w, input, output, deps } = setup();
    const done = install(w.ctx, {}, deps);
    await output.waitFor('Where should intercom be set up?', 0);
    input.write(KEY.ctrlC);
    expect(await done).toBe(1);
    expect(snapshot(w.home).size).toBe(0);
    expect(snapshot(w.project).size).toBe(0);
  });

  it('uninstall asks before removing', async () => {
    const { w, input, output, deps } = setup();
    expect(await install(w.ctx, { yes: true }, deps)).toBe(0);
    const done = uninstall(w.ctx, {}, deps);
    await output.waitFor('Remove intercom as shown?', 0);
    expect(output.text).toContain('remove mcpServers.intercom');
    input.write(KEY.enter);
    expect(await done).toBe(0);
    expect(snapshot(w.home).size).toBe(0);
  });
});
