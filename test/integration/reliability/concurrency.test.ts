import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../../support/temp.js';
import { lastJson, spawnWorker } from './support/bundle.js';

const SENDERS = 16;
const PER_SENDER = 500;

describe('concurrency: many senders, one inbox, a reader acknowledging all the while', () => {
  it(`${SENDERS} processes x ${PER_SENDER} messages: none lost, none duplicated, each claimed once`, async () => {
    const home = join(tempDir('ci-rel-conc-'), 'store');
    const store = FsStore.open(home);
    const claude = fakeClaude();
    const me = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });

    const consumer = spawnWorker('consume', [home, me.code]);
    const senders = Array.from({ length: SENDERS }, (_, i) => spawnWorker('send', [home, me.code, String(PER_SENDER), `s${i}`]));
    const sent: string[] = [];
    for (const s of senders) {
      const r = await s.closed;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      sent.push(...lastJson<{ ids: string[] }>(r.stdout).ids);
    }
    // Every sender is done: the consumer drains what is left and reports.
    consumer.child.stdin!.end('done\n');
    const c = await consumer.closed;
    expect(c.stderr).toBe('');
    const { claimed, ackFailures, peeks, unparsable } = lastJson<{ claimed: string[]; ackFailures: number; peeks: number; unparsable: number }>(c.stdout);

    expect(sent).toHaveLength(SENDERS * PER_SENDER);
    expect(new Set(sent).size).toBe(sent.length); // ids are unique across processes
    const seen = new Map<string, number>();
    for (const id of claimed) seen.set(id, (seen.get(id) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    const sentSet = new Set(sent);
    const lost = sent.filter((id) => !seen.has(id));
    const foreign = claimed.filter((id) => !sentSet.has(id));
    expect({ lost, twice, foreign, ackFailures, unparsable }).toEqual({ lost: [], twice: [], foreign: [], ackFailures: 0, unparsable: 0 });
    // Everything was acknowledged; nothing is left behind in the inbox or tmp/.
    expect(readdirSync(join(home, 'inbox', me.code, 'new'))).toEqual([]);
    expect(readdirSync(join(home, 'inbox', me.code, 'shown'))).toEqual([]);
    expect(readdirSync(join(home, 'tmp')).filter((n) => n.endsWith('.msg'))).toEqual([]);
    // The history holds whole messages only.
    const history = store.history(Number.MAX_SAFE_INTEGER);
    expect(history.every((m) => sentSet.has(m.id))).toBe(true);

    console.log(
      `[reliability] concurrency: ${SENDERS} sender processes, ${sent.length} messages sent, ${seen.size} claimed exactly once ` +
        `(${peeks} peeks by the reader while sending), lost 0, duplicated 0`,
    );
  }, 180_000);
});
