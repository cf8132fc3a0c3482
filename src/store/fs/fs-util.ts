import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UnsafeStateError } from '../../core/errors.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * mkdir -p with 0700. Written out rather than `{recursive: true}`, which spins forever on some
 * paths that cannot be created (under /proc, seen on Node 20): a hook must fail fast instead.
 */
export function ensureDir(dir: string, depth = 0): void {
  try {
    mkdirSync(dir, { mode: DIR_MODE });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw err;
    ensureDir(parent, depth + 1);
    try {
      mkdirSync(dir, { mode: DIR_MODE });
    } catch (again) {
      if (errnoCode(again) !== 'EEXIST') throw again;
    }
  }
}

let counter = 0;
/** A name part no other live process can produce: our pid, a counter, and a random tail. */
export function uniqueSuffix(): string {
  counter = (counter + 1) % 1e9;
  return `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Write a whole file so that readers see the old bytes or the new ones, never a mix. */
export function writeFileAtomic(path: string, data: string | Buffer, tmpDir = dirname(path)): void {
  const tmp = join(tmpDir, `.${uniqueSuffix()}.tmp`);
  const fd = openSync(tmp, 'wx', FILE_MODE);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* gone */
    }
    throw err;
  }
}

/** Create a file with exactly these bytes in `tmpDir`; returns its path (caller links or renames it). */
export function writeTempFile(tmpDir: string, name: string, data: Buffer, durable = false): string {
  const tmp = join(tmpDir, name);
  const fd = openSync(tmp, 'wx', FILE_MODE);
  try {
    writeSync(fd, data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/**
 * The store holds other sessions' messages: it must belong to this user and be closed to
 * everybody else. Refuse anything else, and say how to fix it.
 */
export function checkPrivateDir(dir: string): void {
  const st = statSync(dir);
  if (!st.isDirectory()) {
    throw new UnsafeStateError(`The intercom store ${dir} is not a directory.`, `Move it away, or set CLAUDE_INTERCOM_HOME to another folder.`);
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && st.uid !== uid) {
    throw new UnsafeStateError(
      `The intercom store ${dir} belongs to user id ${st.uid}, not to you (${uid}); refusing to use it.`,
      `Fix: sudo chown -R ${uid} ${JSON.stringify(dir)}  (or set CLAUDE_INTERCOM_HOME to a folder of your own).`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw new UnsafeStateError(
      `The intercom store ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}); refusing to use it.`,
      `Fix: chmod -R go-rwx ${JSON.stringify(dir)}`,
    );
  }
}

export function chmodPrivate(dir: string): void {
  chmodSync(dir, DIR_MODE);
}
