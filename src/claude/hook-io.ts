import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkPrivateDir } from '../store/fs/fs-util.js';

/** The JSON Claude Code writes on a hook's stdin (only the fields we use). */
export interface HookInput {
  hook_event_name?: string;
  session_id?: string;
  cwd?: string;
  source?: string;
  stop_hook_active?: boolean;
  tool_name?: string;
  tool_input?: unknown;
}

/**
 * Read the hook's stdin synchronously: Claude Code writes the JSON and closes the pipe, and a
 * blocking read is the cheapest way to take it. A terminal (someone running us by hand) gives {}.
 * Should fd 0 be non-blocking (something touched `process.stdin`), EAGAIN means "not written yet",
 * not "empty": wait for it (bounded) instead of silently delivering nothing.
 */
export function readHookInput(fd = 0, maxWaitMs = 5000): HookInput {
  try {
    if (fstatSync(fd).isCharacterDevice()) return {};
  } catch {
    return {};
  }
  const raw = readAllSync(fd, maxWaitMs);
  if (raw.trim() === '') return {};
  const parsed: unknown = JSON.parse(raw);
  return typeof parsed === 'object' && parsed !== null ? (parsed as HookInput) : {};
}

function readAllSync(fd: number, maxWaitMs: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  const deadline = Date.now() + maxWaitMs;
  let sleeper: Int32Array | undefined;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EAGAIN' && Date.now() < deadline) {
        sleeper ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(sleeper, 0, 0, 2);
        continue;
      }
      if (code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Write all of `text` to a file descriptor, riding out EAGAIN on a non-blocking pipe. */
export function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN') throw err;
    }
  }
}

const DEBUG_LOG_MAX = 1024 * 1024;

/**
 * A broken intercom must never break a Claude Code session, so hook-side failures are swallowed
 * and written here instead (`<home>/debug.log`, kept under 1 MiB).
 */
export function debugLog(home: string, what: string, err: unknown): void {
  try {
    // Only into a store that passes the same check as the store itself (ours, private), and never
    // through a link planted there: a refused store may belong to someone else.
    checkPrivateDir(home);
    const file = join(home, 'debug.log');
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      /* new */
    }
    const line = `${new Date().toISOString()} pid=${process.pid} ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
    const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_NOFOLLOW } = constants;
    const fd = openSync(file, O_WRONLY | O_CREAT | O_NOFOLLOW | (size > DEBUG_LOG_MAX ? O_TRUNC : O_APPEND), 0o600);
    try {
      writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* nowhere left to report */
  }
}
