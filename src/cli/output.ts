import type { Context } from '../core/context.js';
import { escapeJsonControls } from '../core/framing.js';

/**
 * Output helpers for the people-facing commands: JSON for scripts, plain lines for people. JSON
 * leaves C1 controls and direction overrides raw; they are spelled out (same JSON value), since
 * people read it on a terminal too.
 */
export function printJson(ctx: Pick<Context, 'stdout'>, value: unknown): void {
  ctx.stdout.write(`${escapeJsonControls(JSON.stringify(value, null, 2))}\n`);
}

export function printLine(ctx: Pick<Context, 'stdout'>, text = ''): void {
  ctx.stdout.write(`${text}\n`);
}
