import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real redis-server for tests, on a free loopback port, in a temp folder, stopped after: never a
 * system service. The `default` user has a password (else a wrong password would silently leave a
 * client on `default`); team users are confined to their prefix by the ACL line the README gives.
 */
export interface Engine {
  port: number;
  dir: string;
  tls: boolean;
  /** PEM of the CA that signed the engine's certificate (TLS engines). */
  ca?: string;
  /** A URL for a team user (`team-a` or `team-b`, password `<team>-pw`). */
  url(team?: string, password?: string): string;
  adminUrl(): string;
  /** SIGKILL the engine (what a crash looks like) and wait for it to be gone. */
  kill(): Promise<void>;
  /** Start it again on the same port and folder (with AOF, it comes back with its data). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export interface EngineOptions {
  tls?: boolean;
  /** appendonly yes + appendfsync always: what the README asks of a team's engine. */
  aof?: boolean;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

function makeCerts(dir: string): void {
  const ssl = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt']);
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'ci-redis-'));
  const port = await freePort();
  const tls = options.tls ?? false;
  if (tls) makeCerts(dir);
  const conf = [
    tls ? 'port 0' : `port ${port}`,
    ...(tls ? [`tls-port ${port}`, 'tls-cert-file server.crt', 'tls-key-file server.key', 'tls-ca-cert-file ca.crt', 'tls-auth-clients no'] : []),
    'bind 127.0.0.1',
    'save ""',
    `dir ${dir}`,
    ...(options.aof ? ['appendonly yes', 'appendfsync always'] : ['appendonly no']),
    'user default on >admin-pw ~* &* +@all',
    'user team-a on >team-a-pw ~team-a:* &team-a:* +@all -@dangerous',
    'user team-b on >team-b-pw ~team-b:* &team-b:* +@all -@dangerous',
  ];
  writeFileSync(join(dir, 'redis.conf'), `${conf.join('\n')}\n`);
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const c = spawn(REDIS_SERVER, [join(dir, 'redis.conf')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer): void => {
        out += b.toString();
        if (out.includes('Ready to accept connections')) {
          c.stdout!.off('data', onData);
          c.stdout!.resume();
          resolve();
        }
      };
      c.stdout!.on('data', onData);
      c.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
      c.once('error', (err) => reject(new Error(`could not start ${REDIS_SERVER} (${err.message}): install it (apt-get install redis-server)`)));
    });
  };
  await launch();
  const scheme = tls ? 'rediss' : 'redis';
  const engine: Engine = {
    port,
    dir,
    tls,
    ...(tls ? { ca: execFileSync('cat', [join(dir, 'ca.crt')], { encoding: 'utf8' }) } : {}),
    url: (team = 'team-a', password = `${team}-pw`) => `${scheme}://${team}:${password}@127.0.0.1:${port}/0`,
    adminUrl: () => `${scheme}://default:admin-pw@127.0.0.1:${port}/0?prefix=admin`,
    kill: async () => {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGKILL');
      await exited;
    },
    restart: launch,
    stop: async () => {
      await engine.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return engine;
}
