// Every process the bench starts goes through here, so all of them end with the bench:
// on success, on a thrown error, on Ctrl-C, and (for the fake Claude Code processes) even when the
// bench itself is SIGKILLed, because they are `cat`s on a pipe that closes with us.
import { spawn } from 'node:child_process';

const live = new Set();

/** spawn, remembered until it exits. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

export function spawnTracked(cmd, args, opts) {
  return track(spawn(cmd, args, opts));
}

/** Remember a pid we did not spawn through child_process (e.g. the SDK's transport child). */
const extraPids = new Set();
export function trackPid(pid) {
  if (pid) extraPids.add(pid);
  return () => extraPids.delete(pid);
}

/** SIGKILL everything still running that we started (by pid; nothing else). Synchronous. */
export function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  extraPids.clear();
}

export function liveCount() {
  return live.size;
}

let installed = false;
export function installCleanupHandlers(extra = () => {}) {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAll();
    extra();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping the processes it started\n`);
      process.exit(130);
    });
  }
}

/**
 * A stand-in for one Claude Code process: only its pid and start time matter to intercom.
 * `cat` on a pipe from us is ~1 MB and exits when the pipe closes, so it can never outlive the bench.
 */
export function fakeClaude() {
  const child = spawnTracked('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  if (child.pid === undefined) throw new Error('could not spawn a fake Claude Code process (cat)');
  return child;
}

/**
 * Run a process to its end. `ms` is whole-process wall time: from just before spawn() to the
 * 'exit' event (the parent's view of the child's life, as Claude Code sees a hook).
 */
export function timeProcess(cmd, args, { env, cwd, input = '' } = {}) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let exitAt;
    let code;
    let signal;
    const t0 = process.hrtime.bigint();
    const child = spawnTracked(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (c, s) => {
      exitAt = process.hrtime.bigint();
      code = c;
      signal = s;
    });
    child.on('close', () => resolve({ ms: Number(exitAt - t0) / 1e6, code, signal, stdout, stderr, pid: child.pid }));
    child.stdin.on('error', () => {}); // a child that exits without reading stdin
    child.stdin.end(input);
  });
}
