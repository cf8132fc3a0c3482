/** `doctor`: how much the store holds, how much room its disk has left, and what to do when full. */
import { existsSync, statfsSync } from 'node:fs';
import { describeError } from '../core/errors.js';
import { checkPrivateDir } from '../store/fs/fs-util.js';
import { FsStore } from '../store/fs/fs-store.js';
import { ok, warning, type CheckResult, type DoctorEnv } from './types.js';

/** Below this, a 16 KiB message (with its history entry) may soon not fit. */
export const LOW_SPACE_BYTES = 1024 * 1024;

const kib = (n: number): string => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

export async function checkStoreSpace(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Store size and free space';
  const home = env.user.intercomHome;
  if (!existsSync(home)) return ok('store-space', title, 'No store yet.');
  let usage;
  try {
    checkPrivateDir(home);
    usage = new FsStore(home).usage();
  } catch (err) {
    return warning('store-space', title, `Could not read the store: ${describeError(err)}`, 'Fix the store check above first.');
  }
  const st = statfsSync(home);
  const free = st.bavail * st.bsize;
  const detail =
    `${kib(usage.bytes)} of messages: history ${usage.history} (${kib(usage.historyBytes)}; kept to ${usage.historyLimit} messages and ` +
    `${kib(usage.historyMaxBytes)}), ${usage.unacknowledged} unacknowledged, ${usage.inFlight} in flight, ${usage.leftovers} in tmp/; ` +
    `${kib(free)} free on its disk`;
  if (free >= LOW_SPACE_BYTES) return ok('store-space', title, detail);
  return warning(
    'store-space',
    title,
    `${detail}: sends may fail for lack of space.`,
    `Free space on the disk that holds ${home} (df -h ${JSON.stringify(home)}). When a write fails for space, intercom ` +
      'drops what nobody needs by itself (old history of acknowledged messages, leftovers of killed writers) and retries; ' +
      'unacknowledged messages stay until their session acknowledges them (ack_all) or ends.',
  );
}
