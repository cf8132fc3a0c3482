import { z } from 'zod';
import { parseFlags } from '../cli/flags.js';
import { printJson, printLine } from '../cli/output.js';
import { sessionJson } from '../cli/sessions-json.js';
import type { Context } from '../core/context.js';
import { Intercom } from '../core/intercom.js';
import { displayText } from '../core/framing.js';
import { resolveProject } from '../core/project.js';
import { claudePidFromEnv } from '../claude/session-identity.js';
import { renderSessions } from '../mcp/render.js';
import { openStore } from '../store/index.js';

const Args = z.object({ all: z.boolean().default(false), json: z.boolean().default(false) });

/** `claude-intercom who [--all] [--json]`: the live sessions, for people and scripts. */
export async function run(ctx: Context, raw: unknown): Promise<number> {
  const args = parseFlags(Args, raw, 'who');
  const store = openStore(ctx);
  const project = resolveProject(ctx.cwd);
  const sessions = await new Intercom(store, ctx.now).who(args.all ? 'all' : 'project', project.root);
  const callerPid = claudePidFromEnv(ctx.env);
  const me = callerPid === undefined ? undefined : sessions.find((s) => s.pid === callerPid)?.code;
  if (args.json) {
    printJson(ctx, sessions.map((s) => sessionJson(s, me)));
    return 0;
  }
  if (sessions.length === 0) {
    printLine(ctx, args.all ? 'No live sessions.' : `No live sessions in project ${displayText(project.name)} (try --all).`);
    return 0;
  }
  printLine(ctx, args.all ? `${sessions.length} live session(s):` : `${sessions.length} live session(s) in project ${displayText(project.name)}:`);
  printLine(ctx, renderSessions(sessions, me, ctx.now()));
  return 0;
}
