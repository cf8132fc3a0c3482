/**
 * Wait for files that hooks and probe servers write: event-driven through fs.watch (inotify),
 * bounded by a deadline.
 */
import { readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Resolve with the parsed JSON of every file in `dir` whose name passes `match`, once `enough`
 * says the set is complete (default: at least one). Files still being written (not yet valid JSON)
 * are skipped until their next change.
 */
export function waitForJsonFiles<T>(
  dir: string,
  match: (name: string) => boolean,
  timeoutMs: number,
  enough: (found: T[]) => boolean = (f) => f.length > 0,
): Promise<T[]> {
  const scan = (): T[] => {
    const found: T[] = [];
    for (const name of readdirSync(dir).sort()) {
      if (!match(name)) continue;
      try {
        found.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as T);
      } catch {
        // being written
      }
    }
    return found;
  };
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = scan();
      if (!enough(found)) return false;
      done();
      resolve(found);
      return true;
    };
    const watcher = watch(dir, () => void check());
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for files in ${dir}; present: ${readdirSync(dir).join(', ')}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      watcher.close();
    };
    check();
  });
}

/** Parsed JSON of every matching file in `dir` right now. */
export function readJsonFiles<T>(dir: string, match: (name: string) => boolean): T[] {
  const out: T[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!match(name)) continue;
    try {
      out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as T);
    } catch {
      // being written
    }
  }
  return out;
}
