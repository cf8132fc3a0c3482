import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../../core/errors.js';
import type { RespConnectOptions } from './resp.js';

/**
 * A team engine's address: `redis://[user:password@]host[:port][/db][?prefix=team-a]`, or
 * `rediss://...` for TLS (`?ca=/path/ca.pem` trusts a private CA beside the system's). The key prefix is the team's namespace (an ACL confines a team to it); it
 * defaults to the user name, else `claude-intercom`. The secret never leaves this module except
 * to AUTH: everything shown to people uses `redacted`.
 */
export interface BackendAddress {
  connect: RespConnectOptions;
  /** Keys are `<prefix>:...`, channels too. */
  prefix: string;
  /** The URL without its password, for messages to people. */
  redacted: string;
}

const PREFIX_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function parseBackendUrl(raw: string, opts: { allowNoAuth?: boolean } = {}): BackendAddress {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new InvalidInputError('The backend URL is not a URL.', 'Use redis://user:password@host:6379/0?prefix=team, or rediss:// for TLS.');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new InvalidInputError(`The backend URL's scheme is ${JSON.stringify(u.protocol.slice(0, -1))}; only redis and rediss are supported.`, 'Use redis://... or rediss://... (TLS).');
  }
  const tls = u.protocol === 'rediss:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new InvalidInputError('The backend URL has no host.', 'Write the host after //, e.g. redis://redis.example.com:6379.');
  const port = u.port === '' ? 6379 : Number(u.port);
  const username = decodeURIComponent(u.username) || undefined;
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  const dbPath = u.pathname.replace(/^\//, '');
  const db = dbPath === '' ? 0 : Number(dbPath);
  if (!Number.isInteger(db) || db < 0) throw new InvalidInputError(`The backend URL's database ${JSON.stringify(dbPath)} is not a number.`, 'Write /0, /1, ... or nothing after the host.');
  const prefix = u.searchParams.get('prefix') ?? username ?? 'claude-intercom';
  if (!PREFIX_RE.test(prefix)) {
    throw new InvalidInputError(`The key prefix ${JSON.stringify(prefix.slice(0, 70))} is not allowed.`, 'Use letters, digits, dot, dash and underscore (up to 64), e.g. ?prefix=team-a.');
  }
  const noAuth = password === undefined;
  const allowNoAuth = opts.allowNoAuth || u.searchParams.get('allow_no_auth') === '1';
  if (noAuth && !isLoopback(host) && !allowNoAuth) {
    throw new InvalidInputError(
      `The backend URL has no password, and ${host} is not this machine: anyone who reaches it could read and send your sessions' messages.`,
      'Put the ACL user and password in the URL (redis://user:password@host/...), or add ?allow_no_auth=1 if the engine is private to you.',
    );
  }
  const caFile = u.searchParams.get('ca');
  let ca: string | undefined;
  if (caFile !== null) {
    if (!tls) throw new InvalidInputError('?ca= is for TLS: the URL says redis://.', 'Use rediss:// to talk TLS to the engine.');
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new InvalidInputError(`Cannot read the CA file ${JSON.stringify(caFile)} named in the backend URL (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, 'Give the path of a PEM file this user can read.');
    }
  }
  const shown = new URL(u.toString());
  if (shown.password) shown.password = '***';
  return {
    connect: { host, port, tls, ...(ca ? { tlsOptions: { ca } } : {}), ...(username ? { username } : {}), ...(password !== undefined ? { password } : {}), db },
    prefix,
    redacted: shown.toString(),
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
