import { z } from 'zod';
import { parseFlags } from '../cli/flags.js';
import { printJson, printLine } from '../cli/output.js';
import { sessionJson } from '../cli/sessions-json.js';
import type { Context } from '../core/context.js';
import { Coordination } from '../core/coordination.js';
import { displayText } from '../core/framing.js';
import { resolveProject } from '../core/project.js';
import { claudePidFromEnv } from '../claude/session-identity.js';
import { coordinationJson, renderWho } from '../mcp/render-coordination.js';
import { openStore } from '../store/index.js';

const Args = z.object({ all: z.boolean().default(false), json: z.boolean().default(false) });

/** `claude-intercom who [--all] [--json]`: the live sessions, for people and scripts. */
export async function run(ctx: Context, raw: unknown): Promise<number> {
  const args = parseFlags(Args, raw, 'who');
  const store = openStore(ctx);
  const project = resolveProject(ctx.cwd);
  const views = await new Coordination(store, ctx.now).view(args.all ? 'all' : 'project', project.root, project.id);
  const sessions = views.map((v) => v.session);
  const callerPid = claudePidFromEnv(ctx.env);
  const me = callerPid === undefined ? undefined : sessions.find((s) => s.pid === callerPid && s.machine === undefined)?.code;
  if (args.json) {
    printJson(ctx, views.map((v) => ({ ...sessionJson(v.session, me), ...coordinationJson(v) })));
    return 0;
  }
  if (sessions.length === 0) {
    printLine(ctx, args.all ? 'No live sessions.' : `No live sessions in project ${displayText(project.name)} (try --all).`);
    return 0;
  }
  printLine(ctx, args.all ? `${sessions.length} live session(s):` : `${sessions.length} live session(s) in project ${displayText(project.name)}:`);
  printLine(ctx, renderWho(views, me, ctx.now()));
  return 0;
}
