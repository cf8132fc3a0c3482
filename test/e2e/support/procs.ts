/**
 * Linux /proc helpers: who is alive, who is whose child, what a process was started with.
 * Everything here tolerates processes vanishing between two reads.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  argv: string[];
  env: Record<string, string>;
}

function readNulList(path: string): string[] | undefined {
  try {
    return readFileSync(path, 'utf8').split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** Parent pid from /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] = state, rest[1] = ppid
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function procInfo(pid: number): ProcInfo | undefined {
  const argv = readNulList(`/proc/${pid}/cmdline`);
  const envList = readNulList(`/proc/${pid}/environ`);
  const ppid = parentPid(pid);
  if (!argv || !envList || ppid === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const kv of envList) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { pid, ppid, argv, env };
}

/** Every live process we can read. */
export function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (!isAlive(pid)) continue;
    const info = procInfo(pid);
    if (info) out.push(info);
  }
  return out;
}

/** Send a signal, ignoring processes that are already gone. */
export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Resolve when `pid` is gone (or a zombie), reject after timeoutMs. Linux offers no wait on a
 * process that is not our child (pidfd_open is not exposed by Node), so this checks /proc every
 * 20 ms: the bound on the error it adds to a measured exit time.
 */
export async function waitForExit(pid: number, timeoutMs: number): Promise<number> {
  const start = performance.now();
  const deadline = start + timeoutMs;
  while (isAlive(pid)) {
    if (performance.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - start;
}
