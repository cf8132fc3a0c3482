import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, onCleanup } from './temp.js';

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI with hook JSON on stdin; `exited` resolves when it ends. */
export function spawnCli(args: string[], env: Record<string, string>, stdinJson?: unknown): { child: ChildProcess; exited: Promise<Exited> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  child.stdin!.end(stdinJson === undefined ? '' : JSON.stringify(stdinJson));
  const exited = new Promise<Exited>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

/** Resolves once `child` has written `needle` to stderr or stdout (an event, not a sleep). */
export function waitForOutput(child: ChildProcess, needle: string | RegExp, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${needle}; saw: ${seen}`)), timeoutMs);
    const on = (d: Buffer) => {
      seen += String(d);
      if (typeof needle === 'string' ? seen.includes(needle) : needle.test(seen)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
  });
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
