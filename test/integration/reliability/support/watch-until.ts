import { watch } from 'node:fs';

/** Resolves once `pred()` is true, checking it now and on every fs event in `dir`; rejects after `ms`. */
export function watchUntil(dir: string, pred: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const w = watch(dir, () => {
      if (pred()) done();
    });
    const t = setTimeout(() => {
      w.close();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const done = (): void => {
      clearTimeout(t);
      w.close();
      resolve();
    };
    // A change between the first check and the watch starting is caught here.
    if (pred()) done();
  });
}
