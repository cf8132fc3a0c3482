/** `claude-intercom install`: flags -> zod -> plan -> (wizard) -> apply. */
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { resolveProject } from '../core/project.js';
import { parseFlags, preparePlan, refuseJsonWithoutYes, showPlanOnly, terminalIO } from '../cli/plan-command.js';
import { executeInstall, planHasWork, prepareInstall, type InstallDeps } from '../install/installer.js';
import { ALL_PARTS, type Part } from '../install/paths.js';
import { renderPlan, renderResult, resultJson } from '../install/render.js';
import { askInstallChoices, askLauncher, confirmPlan, finish, type WizardIO } from '../install/wizard.js';
import { commandOnPath, LAUNCHER_NAME, launcherDir } from '../install/launcher.js';
import { join } from 'node:path';

const Args = z.object({
  yes: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  scope: z.enum(['user', 'project']).optional(),
  mcp: z.boolean().optional(),
  hooks: z.boolean().optional(),
  skill: z.boolean().optional(),
  allow: z.boolean().optional(),
  bin: z.boolean().optional(),
  json: z.boolean().default(false),
  backend: z.string().optional(),
  allowNoAuth: z.boolean().default(false),
});

export interface CommandDeps extends InstallDeps {
  /** Streams for the wizard (default: the context's stdin/stdout, when stdin is a terminal). */
  wizard?: WizardIO;
}

export async function run(ctx: Context, rawArgs: unknown, deps: CommandDeps = {}): Promise<number> {
  const args = parseFlags(Args, rawArgs);
  const flagged = ALL_PARTS.filter((p) => args[p] !== undefined);
  const chosenParts = ALL_PARTS.filter((p) => args[p] !== false);
  const interactive = !args.yes && !args.dryRun && !args.json;
  if (args.backend !== undefined) {
    // Checked (and the engine reached) before anything else is written.
    const { setUpBackend } = await import('../store/redis/setup.js');
    const { intercomHome } = await import('../store/local.js');
    const b = await setUpBackend(intercomHome(ctx), args.backend, { allowNoAuth: args.allowNoAuth, dryRun: args.dryRun });
    if (!args.json) ctx.stdout.write(`Team engine ${b.redacted} (key prefix ${b.prefix}): reached; ${b.saved ? 'saved in the store (0600)' : 'not saved (dry run)'}.\n`);
    // `install --backend <url> --no-mcp --no-hooks --no-skill --no-allow`: only the engine was asked for.
    if (chosenParts.length === 0) return 0;
  }

  let scope = args.scope ?? 'user';
  let parts: Part[] = chosenParts;
  let io: WizardIO | undefined;
  let bin = args.bin;
  if (interactive) {
    io = terminalIO(
      ctx,
      deps.wizard,
      'Run it with --yes (and --scope user|project, --no-mcp / --no-hooks / --no-skill / --no-allow as needed), or --dry-run to see the changes.',
    );
    const answers = await askInstallChoices(io, { ...(args.scope ? { scope: args.scope } : {}), ...(flagged.length ? { parts: chosenParts } : {}) }, resolveProject(ctx.cwd).root);
    if (!answers) return 1;
    scope = answers.scope;
    parts = answers.parts;
    // Consent for the launcher, where one can go: the person's own bin folder on PATH.
    const dir = launcherDir(ctx);
    if (bin === undefined && dir && !commandOnPath(ctx)) {
      const yes = await askLauncher(io, join(dir, LAUNCHER_NAME));
      if (yes === null) return 1;
      bin = yes;
    }
  }

  const plan = await preparePlan(ctx, args.json, () => prepareInstall(ctx, { scope, parts, ...(bin !== undefined ? { bin } : {}) }, deps));
  if ('exitCode' in plan) return plan.exitCode;
  if (args.json && !args.yes && !args.dryRun) return refuseJsonWithoutYes(ctx, plan);
  if (!planHasWork(plan) || args.dryRun) {
    showPlanOnly(ctx, plan, { json: args.json, dryRun: args.dryRun, ...(io ? { io } : {}) });
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
