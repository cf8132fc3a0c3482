/** Flags from yargs -> a zod schema, with a usage error (exit 2) that says which flag and why. */
import type { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';

/** A command line that does not parse: one message, one hint, exit 2 (see src/cli.ts). */
export class UsageError extends InvalidInputError {}

export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown, command?: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const what = parsed.error.issues.map((i) => `${i.path.length ? `--${i.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : ''}${i.message}`).join('; ');
  throw new UsageError(`Invalid options: ${what}.`, `Run \`claude-intercom ${command ? `${command} ` : ''}--help\` for its options.`);
}
