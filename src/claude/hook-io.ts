import { appendFileSync, fstatSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The JSON Claude Code writes on a hook's stdin (only the fields we use). */
export interface HookInput {
  hook_event_name?: string;
  session_id?: string;
  cwd?: string;
  source?: string;
  stop_hook_active?: boolean;
  tool_name?: string;
}

/**
 * Read the hook's stdin synchronously: Claude Code writes the JSON and closes the pipe, and a
 * blocking read is the cheapest way to take it. A terminal (someone running us by hand) gives {}.
 */
export function readHookInput(fd = 0): HookInput {
  try {
    if (fstatSync(fd).isCharacterDevice()) return {};
  } catch {
    return {};
  }
  let raw: string;
  try {
    raw = readFileSync(fd, 'utf8');
  } catch {
    return {};
  }
  if (raw.trim() === '') return {};
  const parsed: unknown = JSON.parse(raw);
  return typeof parsed === 'object' && parsed !== null ? (parsed as HookInput) : {};
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
    const file = join(home, 'debug.log');
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      /* new */
    }
    const line = `${new Date().toISOString()} pid=${process.pid} ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
    appendFileSync(file, line, { mode: 0o600, flag: size > DEBUG_LOG_MAX ? 'w' : 'a' });
  } catch {
    /* nowhere left to report */
  }
}
