/** `claude-intercom uninstall`: remove exactly what install added. */
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { InvalidInputError } from '../core/errors.js';
import { PlanRefusedError } from '../install/errors.js';
import { executeUninstall, planHasWork, prepareUninstall } from '../install/installer.js';
import { planJson, renderPlan, renderResult, resultJson } from '../install/render.js';
import { confirmPlan, type WizardIO } from '../install/wizard.js';
import type { CommandDeps } from './install.js';

const Args = z.object({
  yes: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  scope: z.enum(['user', 'project']).default('user'),
  json: z.boolean().default(false),
});

export async function run(ctx: Context, rawArgs: unknown, deps: CommandDeps = {}): Promise<number> {
  const parsed = Args.safeParse(rawArgs);
  if (!parsed.success) throw new InvalidInputError(`Invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const args = parsed.data;
  const interactive = !args.yes && !args.dryRun && !args.json;
  let io: WizardIO | undefined;
  if (interactive) {
    const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    io = deps.wizard ?? (stdin.isTTY ? ({ input: ctx.stdin, output: ctx.stdout } as unknown as WizardIO) : undefined);
    if (!io) throw new InvalidInputError('No terminal to ask in.', 'Run it with --yes to remove without asking, or --dry-run to see the changes.');
  }

  let plan;
  try {
    plan = await prepareUninstall(ctx, { scope: args.scope }, deps);
  } catch (err) {
    if (args.json && err instanceof PlanRefusedError) {
      ctx.stdout.write(`${JSON.stringify({ ok: false, error: err.message, problems: err.problems.map((p) => ({ message: p.message, fix: p.hint })) }, null, 2)}\n`);
      return err.exitCode;
    }
    throw err;
  }

  if (!planHasWork(plan) || args.dryRun) {
    if (args.json) ctx.stdout.write(`${JSON.stringify({ ok: true, dryRun: args.dryRun, ...planJson(plan), written: [] }, null, 2)}\n`);
    else ctx.stdout.write(`${renderPlan(plan, ctx.homeDir)}${args.dryRun && planHasWork(plan) ? 'Dry run: nothing was written.\n' : ''}`);
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
