import type { Context } from '../core/context.js';

/** Output helpers for the people-facing commands: JSON for scripts, plain lines for people. */
export function printJson(ctx: Pick<Context, 'stdout'>, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(ctx: Pick<Context, 'stdout'>, text = ''): void {
  ctx.stdout.write(`${text}\n`);
}
