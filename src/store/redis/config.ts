import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnsafeStateError } from '../../core/errors.js';
import { writeFileAtomic } from '../fs/fs-util.js';
import { type BackendAddress, parseBackendUrl } from './url.js';

/**
 * Where a team engine is configured: `CLAUDE_INTERCOM_URL` in the environment, else the file
 * `backend.url` in the intercom home, private to its owner (0600), since the URL holds the
 * password. The URL is never written into Claude Code's configuration, logs or messages.
 */
export const BACKEND_FILE = 'backend.url';

export interface TeamConfig {
  address: BackendAddress;
  /** This machine's name for `who` and in framed messages. */
  machine: string;
  /** How long a session's presence outlives its last heartbeat (CLAUDE_INTERCOM_PRESENCE_TTL_MS). */
  ttlMs?: number;
}

export function teamConfig(env: NodeJS.ProcessEnv, home: string): TeamConfig | undefined {
  const allowNoAuth = env.CLAUDE_INTERCOM_ALLOW_NO_AUTH === '1';
  const fromEnv = env.CLAUDE_INTERCOM_URL?.trim();
  let raw: string | undefined = fromEnv === '' ? undefined : fromEnv;
  if (raw === undefined) {
    const file = join(home, BACKEND_FILE);
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      return undefined; // no team engine: the local store alone
    }
    if ((mode & 0o077) !== 0) {
      throw new UnsafeStateError(`${file} can be read by other users, and it holds the team engine's password.`, `Run: chmod 600 ${file}`);
    }
    raw = readFileSync(file, 'utf8').trim();
    if (raw === '') return undefined;
  }
  const machine = (env.CLAUDE_INTERCOM_MACHINE?.trim() || hostname()).replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'machine';
  const ttl = Number(env.CLAUDE_INTERCOM_PRESENCE_TTL_MS);
  return { address: parseBackendUrl(raw, { allowNoAuth }), machine, ...(Number.isInteger(ttl) && ttl >= 300 ? { ttlMs: ttl } : {}) };
}

/** Keep a team engine's URL (checked first) in the store, private to its owner. */
export function saveBackendUrl(home: string, url: string, opts: { allowNoAuth?: boolean } = {}): BackendAddress {
  const address = parseBackendUrl(url, opts);
  let kept = url.trim();
  if (opts.allowNoAuth && address.connect.password === undefined) {
    // The person's explicit consent goes with the URL, so every later reader accepts it too.
    const u = new URL(kept);
    u.searchParams.set('allow_no_auth', '1');
    kept = u.toString();
  }
  // Created 0600 (the store's file mode), renamed into place whole.
  writeFileAtomic(join(home, BACKEND_FILE), `${kept}\n`);
  return address;
}
