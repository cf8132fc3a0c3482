/** `claude-intercom install`: flags -> zod -> plan -> (wizard) -> apply. */
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { InvalidInputError } from '../core/errors.js';
import { PlanRefusedError } from '../install/errors.js';
import { executeInstall, planHasWork, prepareInstall, type InstallDeps } from '../install/installer.js';
import { ALL_PARTS, type Part } from '../install/paths.js';
import { planJson, renderPlan, renderResult, resultJson } from '../install/render.js';
import { askInstallChoices, confirmPlan, finish, type WizardIO } from '../install/wizard.js';

const Args = z.object({
  yes: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  scope: z.enum(['user', 'project']).optional(),
  mcp: z.boolean().optional(),
  hooks: z.boolean().optional(),
  skill: z.boolean().optional(),
  allow: z.boolean().optional(),
  json: z.boolean().default(false),
});

export interface CommandDeps extends InstallDeps {
  /** Streams for the wizard (default: the context's stdin/stdout, when stdin is a terminal). */
  wizard?: WizardIO;
}

function wizardIO(ctx: Context, deps: CommandDeps): WizardIO | undefined {
  if (deps.wizard) return deps.wizard;
  const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  return stdin.isTTY ? ({ input: ctx.stdin, output: ctx.stdout } as unknown as WizardIO) : undefined;
}

export async function run(ctx: Context, rawArgs: unknown, deps: CommandDeps = {}): Promise<number> {
  const parsed = Args.safeParse(rawArgs);
  if (!parsed.success) throw new InvalidInputError(`Invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const args = parsed.data;
  const flagged = ALL_PARTS.filter((p) => args[p] !== undefined);
  const chosenParts = ALL_PARTS.filter((p) => args[p] !== false);
  const interactive = !args.yes && !args.dryRun && !args.json;

  let scope = args.scope ?? 'user';
  let parts: Part[] = chosenParts;
  let io: WizardIO | undefined;
  if (interactive) {
    io = wizardIO(ctx, deps);
    if (!io) {
      throw new InvalidInputError(
        'No terminal to ask in.',
        'Run it with --yes (and --scope user|project, --no-mcp / --no-hooks / --no-skill / --no-allow as needed), or --dry-run to see the changes.',
      );
    }
    const answers = await askInstallChoices(io, { ...(args.scope ? { scope: args.scope } : {}), ...(flagged.length ? { parts: chosenParts } : {}) }, ctx.cwd);
    if (!answers) return 1;
    scope = answers.scope;
    parts = answers.parts;
  }

  let plan;
  try {
    plan = await prepareInstall(ctx, { scope, parts }, deps);
  } catch (err) {
    if (args.json && err instanceof PlanRefusedError) {
      ctx.stdout.write(`${JSON.stringify({ ok: false, error: err.message, problems: err.problems.map((p) => ({ message: p.message, fix: p.hint })) }, null, 2)}\n`);
      return err.exitCode;
    }
    throw err;
  }

  if (!planHasWork(plan) || args.dryRun) {
    if (args.json) ctx.stdout.write(`${JSON.stringify({ ok: true, dryRun: args.dryRun, ...planJson(plan), written: [] }, null, 2)}\n`);
    else if (io) {
      io.output.write(renderPlan(plan, ctx.homeDir));
      finish(io, planHasWork(plan) ? 'Dry run: nothing was written.' : 'Nothing to do.');
    } else ctx.stdout.write(`${renderPlan(plan, ctx.homeDir)}${args.dryRun && planHasWork(plan) ? 'Dry run: nothing was written.\n' : ''}`);
    return 0;
  }

  if (io) {
    if (!(await confirmPlan(io, renderPlan(plan, ctx.homeDir), 'Write these changes?'))) return 1;
  } else if (!args.json) {
    ctx.stdout.write(renderPlan(plan, ctx.homeDir));
  }

  const result = await executeInstall(ctx, plan, deps);
  if (args.json) ctx.stdout.write(`${JSON.stringify(resultJson(result, false), null, 2)}\n`);
  else if (io) {
    io.output.write(renderResult(result, ctx.homeDir));
    finish(io, result.error ? 'Stopped with an error.' : 'intercom is installed.');
  } else ctx.stdout.write(`\n${renderResult(result, ctx.homeDir)}`);
  return result.error ? result.error.exitCode : 0;
}
