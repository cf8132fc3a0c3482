import { isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { resolveProject } from '../core/project.js';
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
  /** Where the MCP server entry goes, and the path of its `mcpServers` object in that file. */
  mcpFile: string;
  mcpServersPath: string[];
  /** Where the hooks and the tools' permission rule go. */
  settingsFile: string;
  skillFile: string;
  /**
   * Project scope: the files of the project that people commit. Nothing of ours belongs there (a
   * teammate without intercom would get our per-user paths); older installs wrote to them, so
   * install and uninstall take our entries out of them.
   */
  shared?: { mcpJson: string; settings: string };
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
      mcpServersPath: ['mcpServers'],
      settingsFile: join(configDir, 'settings.json'),
      skillFile: join(configDir, 'skills', 'intercom', 'SKILL.md'),
    };
  }
  // The project is the git root (else the folder itself), as Claude Code keys `projects[...]` in
  // ~/.claude.json. Everything with a per-user path goes where Claude Code keeps per-user project
  // config: the server in local scope (`projects["<root>"].mcpServers`, what `claude mcp add
  // --scope local` writes), hooks and the permission rule in `.claude/settings.local.json`.
  const projectDir = resolveProject(ctx.cwd).root;
  return {
    scope,
    key: `project:${projectDir}`,
    intercomHome: home,
    configDir,
    claudeJson,
    projectDir,
    mcpFile: claudeJson,
    mcpServersPath: ['projects', projectDir, 'mcpServers'],
    settingsFile: join(projectDir, '.claude', 'settings.local.json'),
    // The skill is plain text with no per-user path: shared with the project like any skill.
    skillFile: join(projectDir, '.claude', 'skills', 'intercom', 'SKILL.md'),
    shared: { mcpJson: join(projectDir, '.mcp.json'), settings: join(projectDir, '.claude', 'settings.json') },
  };
}

/** `~/...` for display. */
export function tildify(path: string, homeDir: string): string {
  return path === homeDir ? '~' : path.startsWith(`${homeDir}/`) ? `~${path.slice(homeDir.length)}` : path;
}
