/** `claude-intercom doctor [--json]`: check the set-up; exit 1 when any check fails. */
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { parseFlags } from '../cli/flags.js';
import { renderDoctor, runDoctor } from '../doctor/index.js';
import type { DoctorDeps } from '../doctor/types.js';

const Args = z.object({
  json: z.boolean().default(false),
  /** `--no-self-test` (once src/cli.ts declares the flag): skip the live self-test. */
  selfTest: z.boolean().optional(),
});

export async function run(ctx: Context, rawArgs: unknown, deps: DoctorDeps = {}): Promise<number> {
  const parsed = { data: parseFlags(Args, rawArgs, 'doctor') };
  const results = await runDoctor(ctx, { ...deps, ...(parsed.data.selfTest !== undefined ? { selfTest: parsed.data.selfTest } : {}) });
  const failed = results.some((r) => r.status === 'failure');
  if (parsed.data.json) ctx.stdout.write(`${JSON.stringify({ ok: !failed, checks: results }, null, 2)}\n`);
  else ctx.stdout.write(renderDoctor(results));
  return failed ? 1 : 0;
}
