import { once } from 'node:events';
import { afterAll, beforeAll } from 'vitest';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { TeamStore } from '../../src/store/redis/team-store.js';
import { parseBackendUrl } from '../../src/store/redis/url.js';
import { type Engine, startEngine } from '../support/redis-engine.js';
import { fakeClaude, onCleanup, tempDir } from '../support/temp.js';
import { storeContract } from './index.js';

// What `serve` and the people's commands use with a team engine configured: this machine's store
// joined with the engine. It keeps the same contract as either alone.
let engine: Engine;
let n = 0;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.stop();
});

function open(home: string, prefix: string): TeamStore {
  const t = new TeamStore(FsStore.open(home), new RedisStore(parseBackendUrl(`${engine.url('team-a')}?prefix=${prefix}`), { machine: 'here', ttlMs: 1000 }));
  onCleanup(() => t.close());
  return t;
}

storeContract({
  name: 'team (local + engine)',
  open: async () => open(tempDir(), `team-a:c${process.pid}-${++n}`),
  reopen: async (store) => {
    const t = store as TeamStore;
    return open((t.local as FsStore).home, t.remote.address.prefix);
  },
  liveSession: async (projectRoot = '/proj') => {
    const child = fakeClaude();
    return {
      input: { pid: child.pid, pidStart: processStart(child.pid)!, serverPid: process.pid, projectRoot, projectName: 'proj', cwd: projectRoot, startedAt: Date.now() },
      kill: async () => {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      },
    };
  },
});
