import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The project a folder belongs to: its git root (a `.git` dir or file), else the folder itself. */
export function resolveProject(cwd: string): { root: string; name: string } {
  let start: string;
  try {
    start = realpathSync(cwd);
  } catch {
    start = cwd;
  }
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return { root: dir, name: basename(dir) || dir };
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { root: start, name: basename(start) || start };
}
