/**
 * What Claude Code does with the output of a hook that was killed, which decides where intercom's
 * two-step claim (store.beginClaim, write, commitClaim) puts its commit:
 * - a PostToolUse hook killed AFTER writing its whole additionalContext JSON: the context IS used
 *   (so the hook's output counts as delivered once written: the hook commits right after writing);
 * - one killed with its JSON short of the final brace (unparsable): nothing reaches the model (so
 *   intercom's hook withholds its last byte until it has committed: killed before, it delivered
 *   nothing, and its claim goes back to unread);
 * - an asyncRewake Stop hook killed after writing its stderr: no wake (only exit 2 delivers, so
 *   the watcher commits just before it exits 2).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, Sandbox } from './support/claude.js';
import { readJsonFiles } from './support/files.js';
import { allText, newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic } from './support/mock-anthropic.js';

const HOOK = join(REPO_ROOT, 'test/e2e/support/probe-hook.mjs');

function probe(outDir: string, label: string, actions: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return { type: 'command', command: [process.execPath, HOOK, outDir, label, ...actions].map(q).join(' '), ...extra };
}

describe('Claude Code and the output of a killed hook (print mode)', () => {
  let mock: MockAnthropic;
  let sbx: Sandbox;

  beforeAll(async () => {
    mock = await startMockAnthropic((req) => {
      const results = req.body ? newToolResults(req.body) : [];
      if (newText(req).includes('RUN-BASH')) return { tools: [{ name: 'Bash', input: { command: 'echo bash-ran', description: 'echo' } }] };
      if (results.some((r) => r.text.includes('bash-ran'))) return 'done';
      return 'ok';
    });
    sbx = new Sandbox({ apiUrl: mock.url, name: 'facts-killed' });
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('a killed PostToolUse hook: its whole JSON is used, a half-written one is not; a killed asyncRewake Stop hook wakes nothing', async () => {
    const out = join(sbx.root, 'out');
    mkdirSync(out);
    sbx.writeUserSettings({
      permissions: { disableAutoMode: 'disable', allow: ['Bash'] },
      hooks: {
        PostToolUse: [
          {
            matcher: '*',
            hooks: [
              probe(out, 'post-alive', ['context=PostToolUse:CTX-FROM-LIVE-HOOK']),
              probe(out, 'post-killed', ['context=PostToolUse:CTX-FROM-KILLED-HOOK', 'kill=SIGKILL']),
              // What intercom's hook has written when it commits: its JSON but the final "}\n".
              probe(out, 'post-half', ['stdout={"hookSpecificOutput":{"hookEventName":"PostToolUse","additionalContext":"CTX-FROM-HALF-WRITTEN"}', 'kill=SIGKILL']),
            ],
          },
        ],
        Stop: [{ hooks: [probe(out, 'stop-killed', ['stderr=WAKE-FROM-KILLED-HOOK', 'kill=SIGKILL'], { asyncRewake: true, timeout: 60 })] }],
      },
    });
    const run = await sbx.print('RUN-BASH now');
    expect(run.stdout).toContain('done');
    // Both hooks ran and wrote, and neither reached its end: they were killed.
    for (const label of ['post-killed', 'post-half', 'stop-killed']) {
      const [rec] = readJsonFiles<{ pid: number }>(out, (n) => n.startsWith(`${label}.`) && n.endsWith('.json'));
      expect(rec, label).toBeDefined();
      expect(existsSync(join(out, `${label}.${rec!.pid}.end`)), `${label} reached its end`).toBe(false);
    }
    const requests = mock.mainRequests();
    const afterBash = requests.find((r) => newToolResults(r.body!).some((t) => t.text.includes('bash-ran')));
    expect(afterBash).toBeDefined();
    // The live hook's context arrived (the probe works), and so did the killed one's whole JSON.
    expect(newText(afterBash!)).toContain('CTX-FROM-LIVE-HOOK');
    expect(newText(afterBash!)).toContain('CTX-FROM-KILLED-HOOK');
    // Half a JSON document reached nothing, and the killed Stop hook's stderr started no turn.
    for (const r of requests) expect(allText(r.body!)).not.toContain('CTX-FROM-HALF-WRITTEN');
    for (const r of requests) expect(allText(r.body!)).not.toContain('WAKE-FROM-KILLED-HOOK');
    console.log(`[facts] killed hooks: a SIGKILLed PostToolUse hook's whole JSON reached the model, a half-written one did not; a SIGKILLed asyncRewake Stop hook woke nothing (${requests.length} model requests)`);
  });
});
