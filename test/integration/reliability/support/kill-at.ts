import { spawn, spawnSync } from 'node:child_process';
import { onCleanup } from '../../../support/temp.js';

/**
 * Kill a real process at an exact step: strace injects SIGKILL on entry to the k-th call of one
 * system call (the call itself never runs). Enumerating k over the calls that change the store
 * (rename, link, unlink, mkdir, rmdir) kills a hook, a watcher or a sender before each of its steps,
 * in the real built code, without any test hook in it.
 */

/** Why strace cannot be used here, or undefined when it can (it needs ptrace, so not in every container). */
export function straceUnavailable(): string | undefined {
  const r = spawnSync('strace', ['-o', '/dev/null', '-e', 'trace=none', process.execPath, '-e', '0'], { encoding: 'utf8' });
  if (r.error) return `strace is not installed (${(r.error as NodeJS.ErrnoException).code}); apt-get install strace`;
  if (r.status !== 0) return `strace cannot trace here (exit ${r.status}: ${r.stderr.trim().split('\n')[0]})`;
  return undefined;
}

/** The system calls that change the store, by their names on this architecture. */
export const STORE_SYSCALLS: readonly string[] =
  process.arch === 'x64' ? ['rename', 'link', 'unlink', 'mkdir', 'rmdir'] : ['renameat', 'renameat2', 'linkat', 'unlinkat', 'mkdirat'];

export interface KillResult {
  /** True when the k-th call came and the process died of it; false when it ran to its end first. */
  killed: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runKilledAt(syscall: string, k: number, args: readonly string[], env: Record<string, string>, stdin: string, cwd?: string): Promise<KillResult> {
  const child = spawn('strace', ['-o', '/dev/null', '-e', `trace=${syscall}`, '-e', `inject=${syscall}:signal=KILL:when=${k}`, process.execPath, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onCleanup(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  // strace ends the way its tracee ended: killed by the same signal, or with the same exit code.
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ killed: signal === 'SIGKILL', code, stdout, stderr })));
}
