/**
 * The `claude-intercom` command for people after an `npx claude-intercom install`: npx leaves no
 * command behind, so install offers a small launcher script of the installed copy in a folder of
 * the person's own that is on their PATH (`~/.local/bin`, else `~/bin`). Never elsewhere: no
 * sudo, no shell profile edits. Where there is no such folder, install and doctor print the exact
 * command to run instead (see `peopleCommand`).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { shellQuote } from '../claude/hook-spec.js';
import type { Context } from '../core/context.js';
import { sha256 } from './manifest.js';
import { tildify } from './paths.js';
import type { FileTransform, TransformResult } from './plan.js';

export const LAUNCHER_NAME = 'claude-intercom';
const MARKER = '# claude-intercom launcher: written by `claude-intercom install`, removed by `claude-intercom uninstall`.';

type Ctx = Pick<Context, 'env' | 'homeDir'>;

/**
 * PATH as the person's shell has it. npx and `npm exec` put their own temporary bin folders first
 * while they run us; a `claude-intercom` found there is gone once npx returns, so it does not count.
 */
function pathDirs(ctx: Ctx): string[] {
  return (ctx.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d !== '' && !/[/\\]_npx[/\\]/.test(d) && !/[/\\]node_modules[/\\]\.bin$/.test(d))
    .map((d) => resolve(d));
}

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The person's own bin folder that is on PATH (it may not exist yet), or undefined. */
export function launcherDir(ctx: Ctx): string | undefined {
  const dirs = pathDirs(ctx);
  return [join(ctx.homeDir, '.local', 'bin'), join(ctx.homeDir, 'bin')].find((d) => dirs.includes(d));
}

/** The first `claude-intercom` on PATH (a global npm install, or our launcher), if any. */
export function commandOnPath(ctx: Ctx): string | undefined {
  for (const d of pathDirs(ctx)) {
    const p = join(d, LAUNCHER_NAME);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

export function launcherText(nodePath: string, cliPath: string): string {
  return `#!/bin/sh\n${MARKER}\nexec ${shellQuote(nodePath)} ${shellQuote(cliPath)} "$@"\n`;
}

export function isOurLauncher(text: string): boolean {
  return text.includes(MARKER);
}

/** How people run intercom's commands here: `claude-intercom` when it is on PATH, else the exact command. */
export function peopleCommand(ctx: Ctx, run: { nodePath: string; cliPath: string } | undefined, launcherPlanned: boolean): string {
  if (launcherPlanned || commandOnPath(ctx)) return LAUNCHER_NAME;
  if (!run) return LAUNCHER_NAME;
  return `${shellQuote(run.nodePath)} ${tildify(run.cliPath, ctx.homeDir)}`;
}

/** Create or update our launcher; a `claude-intercom` that is not ours is left alone. */
export function launcherTransform(path: string, nodePath: string, cliPath: string): FileTransform {
  const text = launcherText(nodePath, cliPath);
  return {
    path,
    kind: 'text',
    parts: [],
    newFileMode: 0o755,
    compute(current): TransformResult {
      if (current === text) return { after: current, summary: [], warnings: [], created: [] };
      if (current === null) return { after: text, summary: ['add the `claude-intercom` command (runs the installed copy)'], warnings: [], created: [] };
      if (isOurLauncher(current)) return { after: text, summary: ['point the `claude-intercom` command at this copy'], warnings: [], created: [] };
      return { after: current, summary: [], warnings: [`${path} exists and is not intercom's launcher; left as is.`], created: [] };
    },
  };
}

/** Remove our launcher (only while it is ours and unchanged since we wrote it, or any launcher of ours). */
export function launcherRemoval(path: string, writtenSha: string | null | undefined): FileTransform {
  return {
    path,
    kind: 'text',
    parts: [],
    newFileMode: 0o755,
    compute(current): TransformResult {
      if (current === null) return { after: null, summary: [], warnings: [], created: [] };
      if (isOurLauncher(current) || (writtenSha && sha256(current) === writtenSha)) {
        return { after: null, summary: ['delete the `claude-intercom` command install added'], warnings: [], created: [] };
      }
      return { after: current, summary: [], warnings: [`${path} is not intercom's launcher any more; left as is.`], created: [] };
    },
  };
}

/**
 * How to tell a person to run claude-intercom from here. After `npx claude-intercom install` there
 * may be no `claude-intercom` on PATH (no launcher folder, or the person said no): then every fix
 * and hint we print names the exact command that works, not a name the shell cannot find.
 */
export function selfCommand(ctx: Pick<Context, 'env' | 'homeDir'>, cliPath: string | undefined, nodePath: string = process.execPath): string {
  if (commandOnPath(ctx) || !cliPath) return 'claude-intercom';
  // Run from npx's cache: that path goes away; `npx claude-intercom` is what works again.
  if (/[/\\]_npx[/\\]/.test(cliPath)) return 'npx claude-intercom';
  return `${shellQuote(nodePath)} ${tildify(cliPath, ctx.homeDir)}`;
}

/** Every `claude-intercom <verb>` in a text, spelled the way that runs here. */
export function withSelfCommand(text: string, self: string): string {
  if (self === 'claude-intercom') return text;
  return text.replace(/(^|[\s`(])claude-intercom (?=(install|uninstall|doctor|who|send|log|--help)\b)/g, (_m, pre: string) => `${pre}${self} `);
}
