import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, onCleanup } from './temp.js';

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI with hook JSON on stdin; `exited` resolves when it ends. */
export interface Spawned {
  child: ChildProcess;
  exited: Promise<Exited>;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
}

export function spawnCli(args: string[], env: Record<string, string>, stdinJson?: unknown): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  child.stdin!.end(stdinJson === undefined ? '' : JSON.stringify(stdinJson));
  const exited = new Promise<Exited>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited, output: () => stdout + stderr };
}

/** Resolves once the process has written `needle` (to stdout or stderr): an event, not a sleep. */
export function waitForOutput(p: Spawned, needle: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const found = () => (typeof needle === 'string' ? p.output().includes(needle) : needle.test(p.output()));
  return new Promise((resolve, reject) => {
    if (found()) return resolve();
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${needle}; saw: ${p.output()}`));
    }, timeoutMs);
    const on = () => {
      if (found()) {
        clearTimeout(t);
        off();
        resolve();
      }
    };
    const off = () => {
      p.child.stdout?.off('data', on);
      p.child.stderr?.off('data', on);
    };
    // Our own 'data' listeners in spawnCli run first, so output() already holds the new chunk.
    p.child.stdout?.on('data', on);
    p.child.stderr?.on('data', on);
  });
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
