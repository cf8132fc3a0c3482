/**
 * What `install` and `uninstall` share around their plans: flag parsing, the terminal for the
 * wizard, a refused plan under --json, and the "nothing to do" / --dry-run output.
 */
import type { Context } from '../core/context.js';
import { InvalidInputError } from '../core/errors.js';
import { PlanRefusedError } from '../install/errors.js';
import { planHasWork, type PreparedPlan } from '../install/installer.js';
import { planJson, renderPlan } from '../install/render.js';
import { finish, type WizardIO } from '../install/wizard.js';

export { parseFlags } from './flags.js';

/** The wizard's streams: given ones (tests), else the terminal; none when stdin is not a terminal. */
export function terminalIO(ctx: Context, given: WizardIO | undefined, hintWithoutTerminal: string): WizardIO {
  if (given) return given;
  const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY) return { input: ctx.stdin, output: ctx.stdout } as unknown as WizardIO;
  throw new InvalidInputError('No terminal to ask in.', hintWithoutTerminal);
}

/** Prepare a plan; under --json a refusal is printed as JSON (with its fixes) instead of thrown. */
export async function preparePlan(ctx: Context, json: boolean, prepare: () => Promise<PreparedPlan>): Promise<PreparedPlan | { exitCode: number }> {
  try {
    return await prepare();
  } catch (err) {
    if (!json || !(err instanceof PlanRefusedError)) throw err;
    ctx.stdout.write(`${JSON.stringify({ ok: false, error: err.message, problems: err.problems.map((p) => ({ message: p.message, fix: p.hint })) }, null, 2)}\n`);
    return { exitCode: err.exitCode };
  }
}

/** Nothing to do, or --dry-run: show the plan (as JSON, in the wizard, or plainly) and write nothing. */
export function showPlanOnly(ctx: Context, plan: PreparedPlan, opts: { json: boolean; dryRun: boolean; io?: WizardIO }): void {
  const work = planHasWork(plan);
  if (opts.json) ctx.stdout.write(`${JSON.stringify({ ok: true, dryRun: opts.dryRun, ...planJson(plan), written: [] }, null, 2)}\n`);
  else if (opts.io) {
    opts.io.output.write(renderPlan(plan, ctx.homeDir));
    finish(opts.io, work ? 'Dry run: nothing was written.' : 'Nothing to do.');
  } else ctx.stdout.write(`${renderPlan(plan, ctx.homeDir)}${opts.dryRun && work ? 'Dry run: nothing was written.\n' : ''}`);
}

/**
 * `--json` is output, not consent: without --yes (or --dry-run) nothing is written. The plan is
 * printed with the reason, so a script sees what --yes would do. Exit 2, as for any usage error.
 */
export function refuseJsonWithoutYes(ctx: Context, plan: PreparedPlan): number {
  const work = planHasWork(plan);
  ctx.stdout.write(
    `${JSON.stringify(
      {
        ok: !work,
        ...(work ? { error: `Nothing was written: --json does not mean yes. Add --yes to ${plan.command}, or --dry-run to only see the plan.` } : {}),
        dryRun: true,
        ...planJson(plan),
        written: [],
      },
      null,
      2,
    )}\n`,
  );
  return work ? 2 : 0;
}
