/**
 * The Claude Code plugin `intercom` as doctor sees it: enabled in which settings file, installed
 * where (Claude Code's `plugins/installed_plugins.json`), and whether `claude-intercom install`'s
 * entries are active beside it (then every hook would run twice).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNodeTooOld, MIN_NODE_VERSION } from '../cli/node-version.js';
import { PLUGIN_NAME } from '../claude/tool-names.js';
import { isPlainObject } from '../install/jsonc-edit.js';
import { tildify } from '../install/paths.js';
import { findInstalls } from './configs.js';
import { failure, ok, warning, type CheckResult, type DoctorEnv } from './types.js';

/** The permission rule that lets the plugin's tools run without a prompt. */
export const PLUGIN_ALLOW_RULE = `mcp__plugin_${PLUGIN_NAME}_intercom`;

export interface PluginInstall {
  /** `intercom@<marketplace>` */
  id: string;
  enabledIn: string;
  installPath?: string;
  version?: string;
}

/** Enabled `intercom@…` plugins (user, project and local settings). */
export function findPlugins(env: DoctorEnv): PluginInstall[] {
  const f = env.files;
  const installed = readInstalled(join(env.user.configDir, 'plugins', 'installed_plugins.json'));
  const out: PluginInstall[] = [];
  for (const file of [f.userSettings, f.projectSettings, f.projectLocalSettings]) {
    const enabled = file.value?.enabledPlugins;
    if (!isPlainObject(enabled)) continue;
    for (const [id, on] of Object.entries(enabled)) {
      if (on !== true || !id.startsWith(`${PLUGIN_NAME}@`) || out.some((p) => p.id === id)) continue;
      const where = installed[id]?.[0];
      out.push({ id, enabledIn: file.path, ...(where?.installPath ? { installPath: where.installPath } : {}), ...(where?.version ? { version: where.version } : {}) });
    }
  }
  return out;
}

function readInstalled(path: string): Record<string, Array<{ installPath?: string; version?: string }>> {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { plugins?: unknown };
    return isPlainObject(v.plugins) ? (v.plugins as Record<string, Array<{ installPath?: string; version?: string }>>) : {};
  } catch {
    return {};
  }
}

export async function checkPlugin(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Claude Code plugin';
  const plugins = findPlugins(env);
  const t = (p: string) => tildify(p, env.ctx.homeDir);
  if (plugins.length === 0) return ok('plugin', title, 'The intercom plugin is not enabled (intercom runs from `claude-intercom install` entries, if any).');
  const lines = plugins.map((p) => `${p.id}${p.version ? ` ${p.version}` : ''} enabled in ${t(p.enabledIn)}${p.installPath ? `, from ${t(p.installPath)}` : ''}`);
  const broken = plugins.filter((p) => p.installPath && !existsSync(join(p.installPath, 'dist', 'hook.cjs')));
  if (broken.length) {
    return failure(
      'plugin',
      title,
      [...lines, ...broken.map((p) => `${t(p.installPath!)} has no dist/: its hooks and server cannot start (a plugin taken from the repository's files instead of the npm package)`)].join('\n'),
      `Install it from the marketplace, whose plugin comes from npm: claude plugin uninstall ${broken[0]!.id} && claude plugin install intercom@claude-intercom`,
    );
  }
  // The plugin's hooks and server run `node` from PATH: it must be there, and new enough.
  const node = await env.exec('node', ['--version'], { env: env.ctx.env, cwd: env.ctx.cwd, timeoutMs: 15_000 });
  const nodeVersion = /v?(\d+\.\d+\.\d+)/.exec(node.stdout)?.[1];
  if (node.notFound || !nodeVersion || isNodeTooOld(nodeVersion)) {
    return failure(
      'plugin',
      title,
      [...lines, node.notFound || !nodeVersion ? 'No `node` on PATH: the plugin runs its hooks and server with it.' : `\`node\` on PATH is ${nodeVersion}, older than ${MIN_NODE_VERSION}.`].join('\n'),
      `Install Node.js ${MIN_NODE_VERSION} or newer so that \`node\` on the PATH Claude Code starts with is that one (or use claude-intercom install, which records an absolute Node.js).`,
    );
  }
  const entries = findInstalls(env).filter((s) => s.mcp || s.hooks.length > 0);
  if (plugins.length > 1 || entries.length > 0) {
    const what = [
      ...(plugins.length > 1 ? [`${plugins.length} intercom plugins are enabled`] : []),
      ...entries.map((s) => `\`claude-intercom install\` entries are active in the ${s.scope} scope`),
    ];
    return warning(
      'plugin',
      title,
      [...lines, `${what.join('; ')} besides the plugin: every hook runs twice and every session has two intercom servers.`].join('\n'),
      entries.length
        ? `Keep one: claude-intercom uninstall --yes${entries.some((s) => s.scope === 'project') ? ' --scope project' : ''}  (keeps the plugin), or: claude plugin uninstall ${plugins[0]!.id}`
        : `Keep one: claude plugin disable ${plugins[1]!.id}`,
    );
  }
  return ok('plugin', title, lines.join('\n'));
}
