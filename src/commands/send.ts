import { z } from 'zod';
import { parseFlags, UsageError } from '../cli/flags.js';
import { printJson, printLine } from '../cli/output.js';
import { humanSpeaker } from '../cli/speaker.js';
import { claudePidFromEnv, findSession } from '../claude/session-identity.js';
import type { Context } from '../core/context.js';
import { Intercom, type Speaker } from '../core/intercom.js';
import { openStore } from '../store/index.js';

const Args = z.object({
  to: z.union([z.string(), z.number()]).optional(),
  // yargs hands an optional variadic positional over as [undefined] when it is missing.
  message: z.array(z.union([z.string(), z.number(), z.undefined()])).default([]).transform((a) => a.filter((x) => x !== undefined)),
  json: z.boolean().default(false),
});

/**
 * `claude-intercom send <to> <message...>`: a person writes to a session (or all of a project).
 * Run from inside a Claude Code session (its Bash tool), it speaks as that session: a model must not
 * pass for a person by using the command line.
 */
export async function run(ctx: Context, raw: unknown): Promise<number> {
  const args = parseFlags(Args, raw, 'send');
  if (args.to === undefined || args.message.length === 0) {
    throw new UsageError(
      args.to === undefined ? 'send needs a recipient and a message.' : 'send needs a message after the recipient.',
      'For example: claude-intercom send k3x9 please rebase first  (`claude-intercom who` lists the codes; `all` reaches every session of this project)',
    );
  }
  const store = openStore(ctx);
  const intercom = new Intercom(store, ctx.now);
  const insideClaudeCode = ctx.env.CLAUDECODE === '1' || claudePidFromEnv(ctx.env) !== undefined;
  const session = insideClaudeCode ? await findSession(store, ctx.env, ctx.pid) : undefined;
  const speaker: Speaker = session ? { kind: 'session', session } : humanSpeaker(ctx);
  const { message, recipients } = await intercom.send(speaker, String(args.to), args.message.map(String).join(' '));
  if (args.json) printJson(ctx, { ...message, recipients });
  else printLine(ctx, `Sent ${message.id} from ${message.from} to ${recipients.join(', ')}.`);
  return 0;
}
