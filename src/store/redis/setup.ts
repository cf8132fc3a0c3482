import { hostname } from 'node:os';
import { ensureDir } from '../fs/fs-util.js';
import { saveBackendUrl } from './config.js';
import { RedisStore } from './redis-store.js';
import { engineError } from './team-store.js';
import { parseBackendUrl } from './url.js';

export interface BackendSetup {
  /** The URL without its password. */
  redacted: string;
  prefix: string;
  saved: boolean;
}

/**
 * `install --backend <url>`: check the URL, reach the engine with it (a wrong password or prefix is
 * said now, not at the first message), then keep it in the store's 0600 file. Nothing is written
 * when any step fails, or on a dry run. Never in Claude Code's configuration: only the store has it.
 */
export async function setUpBackend(home: string, url: string, opts: { allowNoAuth?: boolean; dryRun?: boolean } = {}): Promise<BackendSetup> {
  const address = parseBackendUrl(url, opts);
  const store = new RedisStore(address, { machine: hostname() });
  try {
    // A key of the team's prefix: the ACL's NOPERM shows here, not only a wrong password.
    await store.call(['EXISTS', store.key('codes')]);
  } catch (err) {
    throw engineError('set up the team engine', address.redacted, err);
  } finally {
    store.close();
  }
  if (!opts.dryRun) {
    ensureDir(home);
    saveBackendUrl(home, url, opts);
  }
  return { redacted: address.redacted, prefix: address.prefix, saved: !opts.dryRun };
}
