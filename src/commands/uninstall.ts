/** `claude-intercom uninstall`: remove exactly what install added. */
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { parseFlags, preparePlan, refuseJsonWithoutYes, showPlanOnly, terminalIO } from '../cli/plan-command.js';
import { executeUninstall, planHasWork, prepareUninstall } from '../install/installer.js';
import { renderPlan, renderResult, resultJson } from '../install/render.js';
import { confirmPlan } from '../install/wizard.js';
import type { CommandDeps } from './install.js';

const Args = z.object({
  yes: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  scope: z.enum(['user', 'project']).default('user'),
  json: z.boolean().default(false),
});

export async function run(ctx: Context, rawArgs: unknown, deps: CommandDeps = {}): Promise<number> {
  const args = parseFlags(Args, rawArgs);
  const interactive = !args.yes && !args.dryRun && !args.json;
  const io = interactive ? terminalIO(ctx, deps.wizard, 'Run it with --yes to remove without asking, or --dry-run to see the changes.') : undefined;

  const plan = await preparePlan(ctx, args.json, () => prepareUninstall(ctx, { scope: args.scope }, deps));
  if ('exitCode' in plan) return plan.exitCode;
  if (args.json && !args.yes && !args.dryRun) return refuseJsonWithoutYes(ctx, plan);
  if (!planHasWork(plan) || args.dryRun) {
    showPlanOnly(ctx, plan, { json: args.json, dryRun: args.dryRun });
    return 0;
  }
  if (io) {
    if (!(await confirmPlan(io, renderPlan(plan, ctx.homeDir), 'Remove intercom as shown?'))) return 1;
  } else if (!args.json) {
    ctx.stdout.write(renderPlan(plan, ctx.homeDir));
  }
  const result = await executeUninstall(ctx, plan, deps);
  if (args.json) ctx.stdout.write(`${JSON.stringify(resultJson(result, false), null, 2)}\n`);
  else ctx.stdout.write(`\n${renderResult(result, ctx.homeDir)}`);
  return result.error ? result.error.exitCode : 0;
}
