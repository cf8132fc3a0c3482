/**
 * How to tell a person to run claude-intercom from here. After `npx claude-intercom install` there
 * may be no `claude-intercom` on PATH (no launcher folder, or the person said no): then every fix we
 * print names the exact command that works, not a name the shell cannot find.
 */
import { shellQuote } from '../claude/hook-spec.js';
import type { Context } from '../core/context.js';
import { commandOnPath } from '../install/launcher.js';
import { tildify } from '../install/paths.js';

export function selfCommand(ctx: Pick<Context, 'env' | 'homeDir'>, cliPath: string | undefined, nodePath: string = process.execPath): string {
  if (commandOnPath(ctx) || !cliPath) return 'claude-intercom';
  // Run from npx's cache: that path goes away; `npx claude-intercom` is what works again.
  if (/[/\\]_npx[/\\]/.test(cliPath)) return 'npx claude-intercom';
  return `${shellQuote(nodePath)} ${tildify(cliPath, ctx.homeDir)}`;
}

/** Every `claude-intercom <verb>` in a text, spelled the way that runs here. */
export function withSelfCommand(text: string, self: string): string {
  if (self === 'claude-intercom') return text;
  return text.replace(/(^|[\s`(])claude-intercom (?=(install|uninstall|doctor|who|send|log)\b)/g, (_m, pre: string) => `${pre}${self} `);
}
