import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { newMessageId } from '../../../src/core/ids.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../../support/temp.js';
import { HOOK_CJS, spawnNode } from './support/bundle.js';

/**
 * `watch` (and `hook`) run with a session's CLAUDE_PID but an input that is not a well-formed
 * Stop / SessionStart from Claude Code must never claim: a claim marks the messages shown, and the
 * model of that session would never see them.
 */
const GARBAGE: Array<[string, string, 'watch only'?]> = [
  ['empty stdin', ''],
  ['whitespace', ' \n\t '],
  ['null', 'null'],
  ['true', 'true'],
  ['a number', '42'],
  ['a string "Stop"', '"Stop"'],
  ['an empty array', '[]'],
  ['an array holding a Stop', '[{"hook_event_name":"Stop"}]'],
  ['an empty object', '{}'],
  ['constructor', '{"hook_event_name":"constructor"}'],
  ['__proto__ as name', '{"hook_event_name":"__proto__"}'],
  ['toString', '{"hook_event_name":"toString"}'],
  ['hasOwnProperty', '{"hook_event_name":"hasOwnProperty"}'],
  ['an inherited name via __proto__', '{"__proto__":{"hook_event_name":"Stop"}}'],
  ['an array name', '{"hook_event_name":["Stop"]}'],
  ['an object name', '{"hook_event_name":{"toString":"Stop"}}'],
  ['a null name', '{"hook_event_name":null}'],
  ['a number name', '{"hook_event_name":2}'],
  ['lower case', '{"hook_event_name":"stop"}'],
  ['trailing space', '{"hook_event_name":"Stop "}'],
  ['NUL suffix', '{"hook_event_name":"Stop\\u0000"}'],
  // Events the hook does deliver on (so only garbage for the watcher):
  ['PostToolUse', '{"hook_event_name":"PostToolUse","tool_name":"Bash"}', 'watch only'],
  ['UserPromptSubmit', '{"hook_event_name":"UserPromptSubmit","prompt":"hi"}', 'watch only'],
  ['SessionEnd', '{"hook_event_name":"SessionEnd","reason":"other"}'],
  ['not JSON', 'hook_event_name=Stop'],
  ['truncated JSON', '{"hook_event_name":"Stop"'],
  ['two JSON documents', '{"hook_event_name":"Stop"}{"x":1}'],
  ['binary', '\u0000\u0001\u00ff\ufffd\u001b[2J'],
  ['5 MiB of JSON without an event name', JSON.stringify({ session_id: 'x', padding: 'p'.repeat(5 * 1024 * 1024) })],
];

function world() {
  const home = join(tempDir('ci-rel-garbage-'), 'store');
  const store = FsStore.open(home);
  const claude = fakeClaude();
  const me = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
  store.deliver({ id: newMessageId(), from: 'human:t', to: me.code, text: 'must stay unread', sentAt: Date.now() }, [me.code]);
  return { home, store, code: me.code, env: (mode: 'cli' | 'sdk-cli') => ({ CLAUDE_INTERCOM_HOME: home, CLAUDE_PID: String(claude.pid), CLAUDE_CODE_ENTRYPOINT: mode }) };
}

describe('the watcher and the hook claim only for a well-formed Claude Code input', () => {
  it(`${GARBAGE.length} garbage inputs × (watch interactive, watch print mode, hook): exit 0, no output, the message stays unread`, async () => {
    const w = world();
    const claimed: string[] = [];
    let runs = 0;
    for (const [what, input, only] of GARBAGE) {
      for (const [verb, mode] of [['watch', 'cli'], ['watch', 'sdk-cli'], ['hook', 'cli']] as const) {
        if (verb === 'hook' && only) continue;
        runs++;
        const r = await spawnNode([HOOK_CJS, verb], w.env(mode), input).closed;
        const label = `${verb} (${mode}) with ${what}`;
        expect({ label, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ label, code: 0, stdout: '', stderr: '' });
        if (!w.store.hasUnread(w.code)) claimed.push(label);
        expect(claimed).toEqual([]);
      }
    }
    // The same store and session do deliver for a real Stop: the inputs above were refused, not
    // missed for another reason.
    const ok = await spawnNode([HOOK_CJS, 'watch'], w.env('cli'), JSON.stringify({ hook_event_name: 'Stop', stop_hook_active: false, session_id: 's' })).closed;
    expect(ok.code).toBe(2);
    expect(ok.stderr).toContain('must stay unread');
    expect(w.store.hasUnread(w.code)).toBe(false);
    console.log(`[reliability] garbage hook input: ${GARBAGE.length} inputs, ${runs} runs of watch (interactive and -p) and hook: 0 claims, every exit 0, no output`);
  }, 120_000);
});
