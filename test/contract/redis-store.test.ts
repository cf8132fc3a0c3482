import { once } from 'node:events';
import { afterAll, beforeAll } from 'vitest';
import { processStart } from '../../src/os/proc.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { RespClient } from '../../src/store/redis/resp.js';
import { parseBackendUrl } from '../../src/store/redis/url.js';
import { type Engine, startEngine } from '../support/redis-engine.js';
import { fakeClaude, onCleanup } from '../support/temp.js';
import { storeContract } from './index.js';

// The networked backend on a real redis-server, as a team user confined to its prefix by an ACL.
// A store is a fresh sub-namespace of the team's prefix. A session is alive while the heartbeat
// of the store that registered it renews its presence key: `kill` ends the session's process, the
// heartbeat stops renewing, and the key must lapse within its ttl (+1 s of slack, the issue's bound).
const TTL_MS = 600;
const MACHINE = 'machine-a';
let engine: Engine;
let n = 0;
// The same suite over TLS (certificates made at test time): CI_REDIS_TLS=1 (redis-tls-store.test.ts sets it).
const TLS = process.env.CI_REDIS_TLS === '1';

beforeAll(async () => {
  engine = await startEngine({ tls: TLS });
});
afterAll(async () => {
  await engine.stop();
});

function openStore(prefix: string): RedisStore {
  const store = new RedisStore(parseBackendUrl(`${engine.url('team-a')}?prefix=${prefix}${TLS ? `&ca=${engine.dir}/ca.crt` : ''}`), { machine: MACHINE, ttlMs: TTL_MS });
  onCleanup(() => store.close());
  return store;
}

storeContract({
  name: TLS ? 'redis over TLS' : 'redis',
  open: async () => openStore(`team-a:t${process.pid}-${++n}`),
  reopen: async (store) => openStore((store as RedisStore).address.prefix),
  liveSession: async (projectRoot = '/proj') => {
    const child = fakeClaude();
    return {
      input: { pid: child.pid, pidStart: processStart(child.pid)!, serverPid: process.pid, projectRoot, projectName: 'proj', cwd: projectRoot, startedAt: Date.now() },
      kill: async () => {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        // Another machine has no pid to look at: wait for the presence key to lapse, within the bound.
        const raw = await RespClient.connect(parseBackendUrl(`${engine.adminUrl()}${TLS ? `&ca=${engine.dir}/ca.crt` : ''}`).connect);
        try {
          const deadline = Date.now() + TTL_MS + 1000;
          for (;;) {
            const keys = (await raw.call(['KEYS', `team-a:t${process.pid}-*:pid:${MACHINE}:${child.pid}`])) as string[];
            if (keys.length === 0) return;
            if (Date.now() > deadline) throw new Error(`presence of pid ${child.pid} still there ${TTL_MS + 1000} ms after its death`);
            await new Promise((r) => setTimeout(r, 25));
          }
        } finally {
          raw.close();
        }
      },
    };
  },
});
