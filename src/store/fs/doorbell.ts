import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DIR_MODE, errnoCode, quietly, uniqueSuffix } from './fs-util.js';

/**
 * Doorbells: named pipes (FIFOs) that wake a waiting process, instead of inotify.
 *
 * Why not fs.watch: a process that holds inotify watches waits for a kernel grace period (SRCU)
 * when it exits, measured here at 15-20 ms against 3-6 ms without. The watcher's exit IS the wake-up
 * signal Claude Code waits for, so that delay would be most of intercom's wake latency.
 *
 * A listener makes its own FIFO in `<dir>/` and reads it; a ringer writes one byte into every FIFO
 * there. Each listener has its own FIFO, so a ring can never be swallowed by another listener.
 * Writes are non-blocking: a FIFO nobody reads any more (its listener died) fails with ENXIO and is
 * removed by the ringer.
 */

/**
 * Wake every listener in `dir` (quietly: a missing dir means nobody listens). Returns the FIFOs it
 * found, so a caller that clears the folder removes only those it has rung.
 */
export function ring(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.fifo'));
  } catch {
    return [];
  }
  const byte = Buffer.from([1]);
  for (const name of names) {
    const path = join(dir, name);
    let fd: number;
    try {
      // O_NOFOLLOW: a link planted in place of a FIFO must not get our byte written through it.
      fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (err) {
      // ENXIO: no reader any more, the listener is gone. Anything else: not ours to fix here.
      if (errnoCode(err) === 'ENXIO') quietly(() => unlinkSync(path));
      continue;
    }
    try {
      writeSync(fd, byte);
    } catch {
      /* EAGAIN: the pipe is full of rings already; the listener will wake anyway */
    } finally {
      closeSync(fd);
    }
  }
  return names;
}

/**
 * Ring every listener in `dir` a last time, then remove the FIFOs rung and the folder. A listener
 * that made its FIFO after the ring keeps it, and with it the folder (rmdir fails ENOTEMPTY): it
 * has not been rung, so taking its FIFO would leave it deaf to every later ring.
 */
export function ringAndRemove(dir: string): void {
  for (const name of ring(dir)) quietly(() => unlinkSync(join(dir, name)));
  try {
    rmdirSync(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY') throw err;
  }
}

/**
 * Listen on a new FIFO in `dir` until the returned function is called. `onRing` runs on the event
 * loop for every batch of rings. Making the FIFO costs one `mkfifo` process (Node has no mkfifo):
 * paid when a watcher starts, never on the path of a message.
 */
export function listen(dir: string, onRing: () => void): () => void {
  // Required here, not imported: the hook shares this bundle and must not load them.
  const require = createRequire('/');
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const { Socket } = require('node:net') as typeof import('node:net');
  // A ringer that clears the folder (a registration: ring, then remove `bells/p-<pid>`) may remove
  // it between our mkdir and mkfifo, or between mkfifo and open. Either way it has rung already
  // and nothing of ours is left in there: make the folder and the FIFO again.
  let path = '';
  let fd = -1;
  for (let attempt = 1; fd < 0; attempt++) {
    try {
      mkdirSync(dir, { mode: DIR_MODE });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    path = join(dir, `${uniqueSuffix()}.fifo`);
    try {
      execFileSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
    } catch (err) {
      // Raced only if the folder is gone; otherwise mkfifo itself failed (none here, no FIFOs on
      // this file system): the caller falls back to inotify.
      if (attempt < MAX_ATTEMPTS && !existsSync(dir)) continue;
      throw err;
    }
    try {
      // O_RDWR: we hold a writer ourselves, so the pipe never reports end-of-file between rings.
      fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (err) {
      if (attempt < MAX_ATTEMPTS && errnoCode(err) === 'ENOENT') continue; // removed with its folder
      quietly(() => unlinkSync(path));
      throw err;
    }
  }
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on('data', () => onRing());
  socket.on('error', () => onRing());
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    socket.destroy();
    quietly(() => unlinkSync(path));
  };
}

/** Folder removed under us this many times in a row: something else is wrong, give up. */
const MAX_ATTEMPTS = 20;
