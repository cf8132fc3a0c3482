import type { Context } from '../core/context.js';
import { IntercomError } from '../core/errors.js';

// Placeholder until the installer lands (owned by the installer work; replace this file whole).
export async function run(_ctx: Context, _args: unknown): Promise<number> {
  throw new IntercomError('`uninstall` is not yet available in this build.');
}
