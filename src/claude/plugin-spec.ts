/**
 * The Claude Code plugin `intercom`, as data derived from the same spec the installer writes
 * (hook-spec.ts), so the plugin and `claude-intercom install` can never disagree. `npm run
 * gen:plugin` writes these files; a unit test fails when the committed ones differ.
 *
 * The plugin's root is the npm package (the marketplace names it as an npm source), so its
 * commands run the package's own dist/ through `${CLAUDE_PLUGIN_ROOT}`, which Claude Code expands
 * in hook commands and MCP arguments. Node.js comes from PATH: a plugin cannot know its absolute
 * path. CLAUDE_INTERCOM_PLUGIN=1 tells our processes their tools are the plugin's
 * (`mcp__plugin_intercom_intercom__*`), so every text that names a tool names the right one.
 */
import { HOOK_ENTRIES, MCP_SERVER_NAME, hooksSettings } from './hook-spec.js';
import { PLUGIN_ENV, PLUGIN_NAME } from './tool-names.js';

export const PLUGIN_ROOT_VAR = '${CLAUDE_PLUGIN_ROOT}';
/** Where the generated files live in the package (plugin.json points at them). */
export const PLUGIN_DIR = 'plugin';
export const MARKETPLACE_NAME = 'claude-intercom';

const PLACEHOLDER_NODE = '/__node__';
const PLACEHOLDER_CLI = '/__root__/dist/cli.js';

/** A hook command of the plugin: the hot entry of the package it was installed from. */
export function pluginHookCommand(kind: string): string {
  return `${PLUGIN_ENV}=1 exec node "${PLUGIN_ROOT_VAR}/dist/hook.cjs" ${kind}`;
}

/**
 * The plugin's hooks.json: the installer's hook entries (events, matchers, timeouts, asyncRewake and
 * any other field hook-spec gives them), with each command handler run from the plugin's root.
 */
export function pluginHooks(): { description: string; hooks: Record<string, unknown> } {
  const settings = hooksSettings(PLACEHOLDER_NODE, PLACEHOLDER_CLI);
  const hooks: Record<string, unknown> = {};
  for (const [event, groups] of Object.entries(settings)) {
    hooks[event] = groups.map((group) => ({ ...group, hooks: group.hooks.map(toPluginHandler) }));
  }
  if (Object.keys(hooks).length !== new Set(HOOK_ENTRIES.map((e) => e.event)).size) throw new Error('plugin-spec: events lost');
  return { description: 'claude-intercom: deliver messages while busy, wake the session when idle', hooks };
}

/**
 * One handler of the installer's, as the plugin runs it: a command from the plugin's root; an
 * `mcp_tool` handler naming the plugin's server, which Claude Code calls `plugin:<plugin>:<server>`
 * (measured on 2.1.332: a plugin's mcp_tool hook naming the bare server is not called).
 */
export function toPluginHandler(h: Record<string, unknown>): Record<string, unknown> {
  if (h.type === 'mcp_tool') return h.server === MCP_SERVER_NAME ? { ...h, server: `plugin:${PLUGIN_NAME}:${MCP_SERVER_NAME}` } : h;
  if (h.type !== 'command' || typeof h.command !== 'string') return h;
  if (!h.command.includes(PLACEHOLDER_NODE)) throw new Error(`plugin-spec: unexpected hook command ${h.command}`);
  return { ...h, command: pluginHookCommand(h.command.trim().split(/\s+/).at(-1)!) };
}

export function pluginMcp(): { mcpServers: Record<string, unknown> } {
  return {
    mcpServers: {
      [MCP_SERVER_NAME]: {
        type: 'stdio',
        command: 'node',
        args: [`${PLUGIN_ROOT_VAR}/dist/cli.js`, 'serve'],
        env: { [PLUGIN_ENV]: '1' },
      },
    },
  };
}

export interface PackageInfo {
  version: string;
  description: string;
  license?: string;
}

export function pluginManifest(pkg: PackageInfo): Record<string, unknown> {
  return {
    name: PLUGIN_NAME,
    version: pkg.version,
    description: pkg.description,
    author: { name: 'claude-intercom' },
    ...(pkg.license ? { license: pkg.license } : {}),
    keywords: ['messaging', 'multi-session', 'mcp'],
    hooks: `./${PLUGIN_DIR}/hooks.json`,
    mcpServers: `./${PLUGIN_DIR}/mcp.json`,
    skills: `./${PLUGIN_DIR}/skills/`,
  };
}

/**
 * The marketplace this repository is: one plugin, fetched from npm at this version (a marketplace
 * added from the repository gets only committed files, and dist/ is built, not committed).
 */
export function marketplace(pkg: PackageInfo): Record<string, unknown> {
  return {
    name: MARKETPLACE_NAME,
    owner: { name: 'claude-intercom' },
    description: 'Let parallel Claude Code sessions find each other and talk in real time.',
    plugins: [
      {
        name: PLUGIN_NAME,
        description: pkg.description,
        version: pkg.version,
        source: { source: 'npm', package: 'claude-intercom', version: pkg.version },
      },
    ],
  };
}

/** The skill, with the tool names the plugin's tools have. */
export function pluginSkill(template: string): string {
  return template.replaceAll(`mcp__${MCP_SERVER_NAME}__`, `mcp__plugin_${PLUGIN_NAME}_${MCP_SERVER_NAME}__`);
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Every generated file, by path from the package root. */
export function pluginFiles(pkg: PackageInfo, skillTemplate: string): Record<string, string> {
  return {
    '.claude-plugin/plugin.json': json(pluginManifest(pkg)),
    '.claude-plugin/marketplace.json': json(marketplace(pkg)),
    [`${PLUGIN_DIR}/hooks.json`]: json(pluginHooks()),
    [`${PLUGIN_DIR}/mcp.json`]: json(pluginMcp()),
    [`${PLUGIN_DIR}/skills/intercom/SKILL.md`]: pluginSkill(skillTemplate),
  };
}
