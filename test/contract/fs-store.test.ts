import { once } from 'node:events';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../support/temp.js';
import { storeContract } from './index.js';

// The embedded backend: a store is a folder; a session is alive while its process is.
storeContract({
  name: 'fs',
  open: async () => FsStore.open(tempDir()),
  reopen: async (store) => FsStore.open((store as FsStore).home),
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
