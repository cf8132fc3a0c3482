import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreFullError, UnsafeStateError } from '../../core/errors.js';

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

/**
 * The one place where store files get their bytes. A seam for tests: they replace `write` to make
 * a write come up short, as it does on a nearly full disk.
 */
export const io = { write: (fd: number, buf: Buffer, off: number, len: number): number => writeSync(fd, buf, off, len) };

/** Errors that mean "no space left for this": the disk, or the user's quota, is full. */
export function isNoSpace(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * Write every byte of `data` or throw. `writeSync` may write fewer bytes than asked (a nearly full
 * disk wrote 8,192 of 11,192 without an error): keep writing the rest, and a write that makes no
 * progress is a full disk.
 */
export function writeAll(fd: number, data: Buffer, what: string): void {
  let off = 0;
  while (off < data.length) {
    let n: number;
    try {
      n = io.write(fd, data, off, data.length - off);
    } catch (err) {
      if (isNoSpace(err)) throw new StoreFullError(what, data.length, off, err);
      throw err;
    }
    if (n <= 0) throw new StoreFullError(what, data.length, off);
    off += n;
  }
}

/** Remove a half-made file; the caller is already failing, so this must not throw. */
function discard(path: string, fd?: number): void {
  if (fd !== undefined) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

/** Write a whole file so that readers see the old bytes or the new ones, never a mix. */
export function writeFileAtomic(path: string, data: string | Buffer, tmpDir = dirname(path)): void {
  const tmp = join(tmpDir, `.${uniqueSuffix()}.tmp`);
  const fd = openSync(tmp, 'wx', FILE_MODE);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data, path);
  } catch (err) {
    discard(tmp, fd);
    throw err;
  }
  try {
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    discard(tmp);
    throw err;
  }
}

/**
 * Create a file with exactly these bytes in `tmpDir`; returns its path (caller links or renames it).
 * On any failure nothing is left behind: a short file must never be linked anywhere.
 */
export function writeTempFile(tmpDir: string, name: string, data: Buffer, durable = false): string {
  const tmp = join(tmpDir, name);
  const fd = openSync(tmp, 'wx', FILE_MODE);
  try {
    writeAll(fd, data, tmp);
    if (durable) fsyncSync(fd);
  } catch (err) {
    discard(tmp, fd);
    throw isNoSpace(err) && !(err instanceof StoreFullError) ? new StoreFullError(tmp, data.length, 0, err) : err;
  }
  closeSync(fd);
  return tmp;
}

/**
 * A folder inside the store, checked component by component with lstat: a symbolic link planted
 * anywhere on the way (inbox/<code>/new -> /somewhere) is refused, never followed, so nothing is
 * ever written, moved or deleted outside the store. Missing folders from index `createFrom` on are
 * made (0700); earlier ones are not (a removed inbox must not come back).
 * Cost: one lstat per component (about a microsecond each).
 */
export function storeDir(home: string, parts: readonly string[], createFrom = Infinity): string {
  let path = home;
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) {
      // Not created (e.g. the inbox of a session that ended): the caller's own operation then
      // fails with ENOENT, as it always did.
      if (i < createFrom) continue;
      try {
        mkdirSync(path, { mode: DIR_MODE });
        continue;
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      // Made by someone else meanwhile: check what it is.
      const again = lstatSync(path);
      if (again.isDirectory()) continue;
      throw plantedError(home, path, again.isSymbolicLink());
    }
    if (!st.isDirectory()) throw plantedError(home, path, st.isSymbolicLink());
  }
  return path;
}

function plantedError(home: string, path: string, link: boolean): UnsafeStateError {
  let what = 'not a folder';
  if (link) {
    let target = '?';
    try {
      target = readlinkSync(path);
    } catch {
      /* raced */
    }
    what = `a symbolic link (to ${JSON.stringify(target)})`;
  }
  return new UnsafeStateError(
    `${path} in the intercom store is ${what}; refusing to follow it (nothing was written through it).`,
    `Nothing in ${home} should be a link: remove it (rm ${JSON.stringify(path)}) and intercom recreates the folder. ` +
      `Whoever planted it had write access to the store.`,
  );
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

/** The names in `dir`, or none when it cannot be read (gone, or not a folder). */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Run a best-effort step: clean-ups whose failure changes nothing for the caller. */
export function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    /* best effort */
  }
}
