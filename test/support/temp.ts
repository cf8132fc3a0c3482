import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import type { Context } from '../../src/core/context.js';
import { Writable, Readable } from 'node:stream';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');
export const FAKE_PARENT = join(ROOT, 'test/support/fake-parent.mjs');

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch {
      /* best effort */
    }
  }
});

/** A temp directory removed after the test. */
export function tempDir(prefix = 'ci-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A long-lived process that stands in for a Claude Code process (its pid and start time). */
export function fakeClaude(): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  if (child.pid === undefined) throw new Error('could not spawn');
  return child as ChildProcess & { pid: number };
}

export function onCleanup(fn: () => void): void {
  cleanups.push(fn);
}

/** A Context over a temp store and captured output. */
export function testContext(overrides: Partial<Context> = {}): Context & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const home = overrides.homeDir ?? tempDir('ci-home-');
  const ctx: Context = {
    env: { CLAUDE_INTERCOM_HOME: join(home, '.claude-intercom'), USER: 'tester' },
    cwd: overrides.cwd ?? home,
    homeDir: home,
    now: Date.now,
    stdin: Readable.from([]),
    stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }),
    stderr: new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }),
    pid: process.pid,
    ppid: process.ppid,
    ...overrides,
  };
  return Object.assign(ctx, { out: () => out, err: () => err });
}
