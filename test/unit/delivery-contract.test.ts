import { join } from 'node:path';
import { processStart } from '../../src/claude/proc.js';
import { FsStore } from '../../src/store/fs-store.js';
import { runDeliveryContract } from '../contract/delivery.contract.js';
import { fakeClaude, tempDir } from '../support/temp.js';

runDeliveryContract('FsStore', () => {
  const store = FsStore.open(join(tempDir(), 'store'));
  const session = () => {
    const claude = fakeClaude();
    return store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
  };
  return { store, session };
});
