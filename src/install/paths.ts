import { isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { intercomHome } from '../store/index.js';

export type Scope = 'user' | 'project';
/**
 * `allow` is the permission rule `mcp__intercom` in settings.json: without it every intercom call
 * asks a person first (and in auto mode goes to a server-side check), so a session woken by a
 * message could not answer it with nobody at the keyboard.
 */
export type Part = 'mcp' | 'hooks' | 'skill' | 'allow';
export const ALL_PARTS: readonly Part[] = ['mcp', 'hooks', 'skill', 'allow'];

export type PathContext = Pick<Context, 'env' | 'homeDir' | 'cwd'>;

export { intercomHome };

/** `$CLAUDE_CONFIG_DIR` (where Claude Code honours it), else `~/.claude`. */
export function claudeConfigDir(ctx: PathContext): string {
  const v = ctx.env.CLAUDE_CONFIG_DIR;
  if (v && v.trim() !== '') return isAbsolute(v) ? v : resolve(ctx.cwd, v);
  return join(ctx.homeDir, '.claude');
}

/** `~/.claude.json`, or `$CLAUDE_CONFIG_DIR/.claude.json` when the config dir is relocated. */
export function claudeJsonPath(ctx: PathContext): string {
  const v = ctx.env.CLAUDE_CONFIG_DIR;
  if (v && v.trim() !== '') return join(claudeConfigDir(ctx), '.claude.json');
  return join(ctx.homeDir, '.claude.json');
}

/** Every file and folder one scope of an install touches. */
export interface Locations {
  scope: Scope;
  /** Key of this install in the manifest: one user install per config dir, one per project dir. */
  key: string;
  intercomHome: string;
  configDir: string;
  claudeJson: string;
  projectDir?: string;
  /** Where the MCP server entry goes (`mcpServers.intercom`). */
  mcpFile: string;
  /** Where the hooks go (and, in project scope, the approval of our .mcp.json server). */
  settingsFile: string;
  skillFile: string;
}

export function resolveLocations(ctx: PathContext, scope: Scope): Locations {
  const configDir = claudeConfigDir(ctx);
  const claudeJson = claudeJsonPath(ctx);
  const home = intercomHome(ctx);
  if (scope === 'user') {
    return {
      scope,
      key: `user:${configDir}`,
      intercomHome: home,
      configDir,
      claudeJson,
      mcpFile: claudeJson,
      settingsFile: join(configDir, 'settings.json'),
      skillFile: join(configDir, 'skills', 'intercom', 'SKILL.md'),
    };
  }
  // Claude Code's project is the directory it runs in: `projects["<cwd>"]`, `<cwd>/.mcp.json`.
  const projectDir = ctx.cwd;
  return {
    scope,
    key: `project:${projectDir}`,
    intercomHome: home,
    configDir,
    claudeJson,
    projectDir,
    mcpFile: join(projectDir, '.mcp.json'),
    settingsFile: join(projectDir, '.claude', 'settings.json'),
    skillFile: join(projectDir, '.claude', 'skills', 'intercom', 'SKILL.md'),
  };
}

/** `~/...` for display. */
export function tildify(path: string, homeDir: string): string {
  return path === homeDir ? '~' : path.startsWith(`${homeDir}/`) ? `~${path.slice(homeDir.length)}` : path;
}
