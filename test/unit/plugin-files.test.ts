/** The plugin's committed files are exactly what the installer's spec generates (npm run gen:plugin). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOOK_ENTRIES, hooksSettings } from '../../src/claude/hook-spec.js';
import { pluginFiles, pluginHooks, toPluginHandler } from '../../src/claude/plugin-spec.js';
import { REPO_ROOT } from './install/support.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; description: string; license: string; files: string[] };

describe('the Claude Code plugin', () => {
  it('committed files match the generator (else: npm run gen:plugin)', () => {
    const files = pluginFiles(pkg, readFileSync(join(REPO_ROOT, 'templates', 'skill', 'SKILL.md'), 'utf8'));
    for (const [rel, text] of Object.entries(files)) expect(readFileSync(join(REPO_ROOT, rel), 'utf8'), `${rel} is out of date: npm run gen:plugin`).toBe(text);
  });

  it('has every hook entry the installer writes, with the same fields, run from the plugin root', () => {
    const installer = hooksSettings('/n', '/r/dist/cli.js');
    const plugin = pluginHooks().hooks as typeof installer;
    expect(Object.keys(plugin)).toEqual(Object.keys(installer));
    for (const [event, groups] of Object.entries(installer)) {
      expect(plugin[event]!.length).toBe(groups.length);
      groups.forEach((g, i) => {
        const p = plugin[event]![i]!;
        expect(p.matcher).toBe(g.matcher);
        const { command: ic, ...iRest } = g.hooks[0]!;
        const { command: pc, ...pRest } = p.hooks[0]!;
        expect(pRest).toEqual(iRest);
        expect(String(pc)).toBe(`CLAUDE_INTERCOM_PLUGIN=1 exec node "\${CLAUDE_PLUGIN_ROOT}/dist/hook.cjs" ${String(ic).split(' ').at(-1)}`);
      });
    }
    expect(Object.values(plugin).flat().length).toBe(HOOK_ENTRIES.length);
  });

  it("an mcp_tool handler names the plugin's server as Claude Code knows it (plugin:intercom:intercom)", () => {
    expect(toPluginHandler({ type: 'mcp_tool', server: 'intercom', tool: 'peek', input: {} })).toEqual({ type: 'mcp_tool', server: 'plugin:intercom:intercom', tool: 'peek', input: {} });
    expect(toPluginHandler({ type: 'mcp_tool', server: 'other', tool: 'x' })).toEqual({ type: 'mcp_tool', server: 'other', tool: 'x' });
  });

  it('ships in the npm package (the marketplace installs it from npm) and its skill names the plugin tools', () => {
    for (const f of ['.claude-plugin', 'plugin', 'dist']) expect(pkg.files).toContain(f);
    const market = JSON.parse(readFileSync(join(REPO_ROOT, '.claude-plugin', 'marketplace.json'), 'utf8')) as { plugins: Array<{ name: string; source: unknown }> };
    expect(market.plugins).toEqual([expect.objectContaining({ name: 'intercom', source: { source: 'npm', package: 'claude-intercom', version: pkg.version } })]);
    const skill = readFileSync(join(REPO_ROOT, 'plugin', 'skills', 'intercom', 'SKILL.md'), 'utf8');
    expect(skill).toContain('mcp__plugin_intercom_intercom__');
    expect(skill).not.toContain('mcp__intercom__');
  });
});
