import { z } from 'zod';
import type { Context } from '../core/context.js';
import { escapeJsonControls, terminalText } from '../core/framing.js';
import type { Message } from '../core/types.js';
import { coalesce } from '../core/coalesce.js';
import { openStore } from '../store/index.js';

const Args = z.object({
  follow: z.boolean().default(false),
  limit: z.number().int().min(0).max(100_000).default(50),
  json: z.boolean().default(false),
});

/**
 * One message on one terminal line: control characters (C0, C1, DEL) and direction overrides shown
 * escaped, never interpreted; every field, since a history file is only as trusted as the store.
 */
export function formatLogLine(m: Message): string {
  const time = Number.isFinite(m.sentAt) ? new Date(m.sentAt).toISOString().replace('T', ' ').slice(0, 19) : '????-??-?? ??:??:??';
  const thread = m.replyTo ? ` (re ${terminalText(String(m.replyTo))})` : '';
  const field = (v: unknown): string => terminalText(String(v));
  return `${time}  ${field(m.from)} -> ${field(m.to)}  ${field(m.id)}${thread}  ${field(m.text)}`;
}

/** `claude-intercom log [--follow] [--json]`: recent traffic; --follow streams it as it is sent. */
export async function run(ctx: Context, raw: unknown): Promise<number> {
  const args = Args.parse(raw);
  const store = openStore(ctx);
  const print = (m: Message): void => {
    ctx.stdout.write(`${args.json ? escapeJsonControls(JSON.stringify(m)) : formatLogLine(m)}\n`);
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
