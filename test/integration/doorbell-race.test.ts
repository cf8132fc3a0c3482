/**
 * The race behind "watch: Error: Command failed: mkfifo … bells/p-<pid>/…": a registration clears
 * `bells/p-<pid>` while a watcher is between making that folder and making its FIFO in it. Many
 * registrations and many listeners of one pid, in separate processes, at once: no listener may fail.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeClaude, tempDir } from '../support/temp.js';

const ROUNDS = Number(process.env.RELIABILITY_BELL_ROUNDS ?? 300);
const bundleDir = mkdtempSync(join(tmpdir(), 'ci-bell-race-'));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

function workerScript(): string {
  const outfile = join(bundleDir, 'worker.mjs');
  buildSync({ entryPoints: [join(import.meta.dirname, 'support/bell-race-worker.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error' });
  return outfile;
}

function run(script: string, args: string[]): Promise<{ mode: string; n: number; failures: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`worker exited ${code}: ${out}`))));
  });
}

describe('doorbells under concurrent registrations', () => {
  it(`${ROUNDS} listens against ${ROUNDS * 2} registrations of the same Claude Code pid: no listener fails`, async () => {
    const script = workerScript();
    const home = join(tempDir('ci-bell-'), 'store');
    const claude = fakeClaude();
    const pid = String(claude.pid);
    const results = await Promise.all([
      run(script, ['register', home, pid, String(ROUNDS * 2)]),
      run(script, ['listen', home, pid, String(ROUNDS)]),
      run(script, ['listen', home, pid, String(ROUNDS)]),
    ]);
    const listens = results.filter((r) => r.mode === 'listen');
    console.log(`[reliability] doorbell race: ${JSON.stringify(results)}`);
    expect(results.find((r) => r.mode === 'register')?.failures).toBe(0);
    expect(listens.map((r) => ({ failures: r.failures, errors: r.errors }))).toEqual([
      { failures: 0, errors: [] },
      { failures: 0, errors: [] },
    ]);
  }, 120_000);
});
