import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/temp.js';

// The hook and the watcher run on every tool call and every idle moment: with a team engine
// configured they must still read only the local store (the session's relay feeds it), so their
// bundle must not even contain the network client.
describe('the hot path stays local', () => {
  it('dist/hook.cjs holds no Redis client, no TLS, no team store', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'hook.cjs'), 'utf8');
    for (const marker of ['RespClient', 'node:tls', 'XREADGROUP', 'TeamStore', 'CLAUDE_INTERCOM_URL', 'backend.url']) {
      expect(bundle.includes(marker), marker).toBe(false);
    }
  });
});
