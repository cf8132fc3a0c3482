import { z } from 'zod';
import { printJson, printLine } from '../cli/output.js';
import { humanSpeaker } from '../cli/speaker.js';
import type { Context } from '../core/context.js';
import { Intercom } from '../core/intercom.js';
import { openStore } from '../store/index.js';

const Args = z.object({
  to: z.string(),
  message: z.array(z.union([z.string(), z.number()])).min(1),
  json: z.boolean().default(false),
});

/** `claude-intercom send <to> <message...>`: a person writes to a session (or all of a project). */
export async function run(ctx: Context, raw: unknown): Promise<number> {
  const args = Args.parse(raw);
  const intercom = new Intercom(openStore(ctx), ctx.now);
  const { message, recipients } = await intercom.send(humanSpeaker(ctx), args.to, args.message.map(String).join(' '));
  if (args.json) printJson(ctx, { ...message, recipients });
  else printLine(ctx, `Sent ${message.id} from ${message.from} to ${recipients.join(', ')}.`);
  return 0;
}
