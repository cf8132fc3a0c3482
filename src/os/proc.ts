import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Process facts without spawning anything on Linux (/proc), with a `ps` fallback elsewhere.
 * A pid alone is not an identity: pids are reused, so a process is (pid, start time).
 */

interface ProcStat {
  ppid: number;
  start: string;
}

function procStat(pid: number): ProcStat | undefined {
  if (process.platform === 'linux') {
    try {
      const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
      const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(rest[1]);
      const start = rest[19];
      if (!start || !Number.isInteger(ppid)) return undefined;
      // A zombie has exited: it is not a live session.
      if (rest[0] === 'Z') return undefined;
      return { ppid, start };
    } catch {
      return undefined;
    }
  }
  try {
    // Loaded only off Linux: child_process has no place on the hook's hot path.
    const { execFileSync } = createRequire('/')('node:child_process') as typeof import('node:child_process');
    const out = execFileSync('ps', ['-o', 'ppid=,lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const m = /^(\d+)\s+(.+)$/.exec(out);
    return m ? { ppid: Number(m[1]), start: m[2]!.replace(/\s+/g, ' ') } : undefined;
  } catch {
    return undefined;
  }
}

export function isValidPid(pid: unknown): pid is number {
  return typeof pid === 'number' && Number.isInteger(pid) && pid > 1 && pid < 2 ** 22 + 1;
}

/** The process's start time, or undefined when no such process is alive. */
export function processStart(pid: number): string | undefined {
  return isValidPid(pid) ? procStat(pid)?.start : undefined;
}

export function parentPid(pid: number): number | undefined {
  return isValidPid(pid) ? procStat(pid)?.ppid : undefined;
}

/** Alive and the same process that was recorded (not a newcomer that got the pid). */
export function isSameProcessAlive(pid: number, start: string): boolean {
  return processStart(pid) === start;
}

/** The chain of ancestors of a process, nearest first, stopping at init. */
export function ancestors(pid: number, max = 32): number[] {
  const out: number[] = [];
  let cur = parentPid(pid);
  while (cur !== undefined && cur > 1 && out.length < max) {
    out.push(cur);
    cur = parentPid(cur);
  }
  return out;
}
