import { z } from 'zod';
import { parseFlags } from '../cli/flags.js';
import type { Context } from '../core/context.js';
import { escapeJsonControls, terminalText } from '../core/framing.js';
import type { Message } from '../core/types.js';
import { coalesce } from '../core/coalesce.js';
import { openStore } from '../store/index.js';

const Args = z.object({
  follow: z.boolean().default(false),
  limit: z.number().int().min(0).max(100_000).default(50),
  full: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** How much of a message `log` shows on its line unless --full (--json always has it whole). */
export const LOG_TEXT_LIMIT = 400;

/** The first `limit` characters (whole code points) and how many were left out. */
export function clipText(text: string, limit: number): { shown: string; omitted: number } {
  const chars = Array.from(text);
  if (chars.length <= limit) return { shown: text, omitted: 0 };
  return { shown: chars.slice(0, limit).join(''), omitted: chars.length - limit };
}

/**
 * One message on one terminal line: control characters (C0, C1, DEL) and direction overrides shown
 * escaped, never interpreted; every field, since a history file is only as trusted as the store.
 * A long text is cut with a marker that says how much is missing and how to see it.
 */
export function formatLogLine(m: Message, opts: { full?: boolean } = {}): string {
  const text = String(m.text);
  const { shown, omitted } = opts.full ? { shown: text, omitted: 0 } : clipText(text, LOG_TEXT_LIMIT);
  const time = Number.isFinite(m.sentAt) ? new Date(m.sentAt).toISOString().replace('T', ' ').slice(0, 19) : '????-??-?? ??:??:??';
  const thread = m.replyTo ? ` (re ${terminalText(String(m.replyTo))})` : '';
  const field = (v: unknown): string => terminalText(String(v));
  const marker = omitted ? ` […cut: ${omitted} more characters; \`log --full\` or \`log --json\` shows it whole]` : '';
  return `${time}  ${field(m.from)} -> ${field(m.to)}  ${field(m.id)}${thread}  ${terminalText(shown)}${marker}`;
}

/** `claude-intercom log [--follow] [--json]`: recent traffic; --follow streams it as it is sent. */
export async function run(ctx: Context, raw: unknown): Promise<number> {
  const args = parseFlags(Args, raw, 'log');
  const store = openStore(ctx);
  const print = (m: Message): void => {
    ctx.stdout.write(`${args.json ? escapeJsonControls(JSON.stringify(m)) : formatLogLine(m, { full: args.full })}\n`);
  };
  const recent = await store.history(args.limit);
  recent.forEach(print);
  if (!args.follow) {
    if (recent.length === 0 && !args.json) ctx.stdout.write('No messages yet.\n');
    return 0;
  }

  // Everything after the last id printed; the history is ordered by id, ids by send time.
  let last = (await store.history(1))[0]?.id ?? '';
  // Coalesced: a flush that is still reading is followed by one more, never run twice at once.
  const flush = coalesce(async () => {
    const fresh = (await store.history(Number.MAX_SAFE_INTEGER)).filter((m) => m.id > last);
    for (const m of fresh) {
      print(m);
      last = m.id;
    }
  });
  return new Promise<number>((resolve) => {
    const stop = store.watchHistory(flush);
    flush();
    // On stderr, so that stdout stays pure data for scripts (and --json stays one object per line).
    ctx.stderr.write('Following new messages (Ctrl-C to stop)...\n');
    const end = (): void => {
      stop();
      resolve(0);
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}
