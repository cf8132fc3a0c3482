/**
 * One side of the doorbell race (bundled by the test, run as its own process):
 *   register <home> <pid> <n>   register the session of <pid> n times (each rings and clears bells/p-<pid>)
 *   listen <home> <pid> <n>     subscribe to <pid>'s registration and stop, n times; count failures
 * Prints one JSON line with what happened.
 */
import { processStart } from '../../../src/os/proc.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';

const [mode, home, pidRaw, nRaw] = process.argv.slice(2);
const pid = Number(pidRaw);
const n = Number(nRaw);
const store = FsStore.open(home!);
let failures = 0;
const errors: string[] = [];
for (let i = 0; i < n; i++) {
  try {
    if (mode === 'register') {
      store.register({ pid, pidStart: processStart(pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
    } else {
      store.subscribeRegistration(pid, () => undefined)();
    }
  } catch (err) {
    failures++;
    if (errors.length < 3) errors.push(String(err).split('\n')[0]!);
  }
}
process.stdout.write(`${JSON.stringify({ mode, n, failures, errors })}\n`);
