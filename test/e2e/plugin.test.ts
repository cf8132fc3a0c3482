/**
 * The Claude Code plugin against the real Claude Code (issue 13). This repository is the
 * marketplace (`claude plugin marketplace add <repo>`); its plugin's source is the npm package,
 * served here from `npm pack` by a registry on 127.0.0.1; `claude plugin install
 * intercom@claude-intercom` installs it. Then two sessions talk through the plugin's own tools
 * (`mcp__plugin_intercom_intercom__*`), the idle one woken by the plugin's Stop hook, and doctor
 * sees the plugin (and warns when `claude-intercom install` entries are active beside it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_BIN, REPO_ROOT, Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { assertBuilt, cli, framedMessages, sessionCode } from './support/intercom.js';
import { newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic, RecordedRequest, Reply } from './support/mock-anthropic.js';
import { startNpmRegistry, type LocalRegistry } from './support/npm-registry.js';

const TOOL = 'mcp__plugin_intercom_intercom__';
const run = promisify(execFile);
type Rule = (req: RecordedRequest, text: string, results: string[]) => Reply | undefined;

describe('the intercom plugin, installed with the real `claude plugin` commands', () => {
  let mock: MockAnthropic;
  let registry: LocalRegistry;
  let packDir: string;
  let sbx: Sandbox;
  let a: ClaudeSession;
  let b: ClaudeSession;
  const rules: Rule[] = [];
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  beforeAll(async () => {
    assertBuilt();
    packDir = mkdtempSync(join(tmpdir(), 'ci-e2e-pack-'));
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1)!;
    registry = await startNpmRegistry('claude-intercom', version, join(packDir, name));
    mock = await startMockAnthropic((req) => {
      const text = newText(req);
      const results = req.body ? newToolResults(req.body).map((r) => r.text) : [];
      for (const rule of rules) {
        const reply = rule(req, text, results);
        if (reply !== undefined) return reply;
      }
      return 'ok';
    });
    sbx = new Sandbox({ apiUrl: mock.url, name: 'plugin' });
    const env = sbx.env({ npm_config_registry: registry.url, npm_config_cache: join(sbx.home, '.npm'), npm_config_update_notifier: 'false' });
    // Asynchronously: the registry answers from this very process.
    const claude = async (args: string[]) => (await run(CLAUDE_BIN, args, { cwd: sbx.project, env, encoding: 'utf8', timeout: 120_000 })).stdout;
    expect(await claude(['plugin', 'marketplace', 'add', REPO_ROOT])).toMatch(/Successfully added marketplace: claude-intercom/);
    expect(await claude(['plugin', 'install', 'intercom@claude-intercom'])).toMatch(/Successfully installed plugin: intercom@claude-intercom/);
    // The plugin's tools need their own permission rule (a plugin cannot grant itself one).
    const settingsPath = join(sbx.home, '.claude', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath, `${JSON.stringify({ ...settings, permissions: { allow: ['mcp__plugin_intercom_intercom'] } }, null, 2)}\n`);
  }, 180_000);

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
    await registry?.close();
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  });

  it("this repository's marketplace and plugin manifests pass Claude Code's own validator", async () => {
    const out = await run(CLAUDE_BIN, ['plugin', 'validate', REPO_ROOT], { cwd: sbx.project, env: sbx.env(), encoding: 'utf8' });
    expect(out.stdout).toContain('Validating marketplace manifest');
    expect(out.stdout).toContain('✔ Validation passed');
    expect(out.stdout).not.toContain('✘');
  });

  it('came from npm (the built package, dist/ included), not from the repository files', () => {
    expect(registry.requests).toContain(`/claude-intercom/-/claude-intercom-${version}.tgz`);
    const installed = JSON.parse(readFileSync(join(sbx.home, '.claude', 'plugins', 'installed_plugins.json'), 'utf8')) as {
      plugins: Record<string, Array<{ installPath: string; version: string }>>;
    };
    const entry = installed.plugins['intercom@claude-intercom']![0]!;
    expect(entry.version).toBe(version);
    expect(existsSync(join(entry.installPath, 'dist', 'hook.cjs'))).toBe(true);
    // The plugin alone: no `claude-intercom install` entries anywhere.
    expect(readFileSync(join(sbx.home, '.claude.json'), 'utf8')).not.toContain('"intercom"');
  });

  it("two sessions talk through the plugin's tools; the idle one is woken by the plugin's Stop hook", async () => {
    a = await sbx.start('A');
    b = await sbx.start('B');
    const [codeA, codeB] = await Promise.all([sessionCode(a), sessionCode(b)]);
    const isA = (r: RecordedRequest) => r.kind === 'main' && r.sessionId === a.sessionId;
    const isB = (r: RecordedRequest) => r.kind === 'main' && r.sessionId === b.sessionId;
    rules.push(
      (r, text) => (isA(r) && text.includes('ASK-B') ? { tools: [{ name: `${TOOL}who`, input: {} }] } : undefined),
      (r, _t, results) =>
        isA(r) && results.some((t) => t.includes(codeB) && t.includes(codeA))
          ? { tools: [{ name: `${TOOL}send`, input: { to: codeB, message: 'PLUGIN-PING: are you there?' } }] }
          : undefined,
      (r, text) => {
        if (!isB(r) || !text.includes('PLUGIN-PING')) return undefined;
        const ping = framedMessages(text).find((m) => m.text.includes('PLUGIN-PING'));
        return { tools: [{ name: `${TOOL}reply`, input: { message_id: ping?.id ?? 'missing', message: 'PLUGIN-PONG: here' } }] };
      },
    );
    let since = mock.nextSeq;
    await b.submit('HELLO-B: say hi');
    const bTurn = await mock.waitFor((r) => isB(r) && r.reply?.stopReason === 'end_turn', { since, label: "the end of B's first turn" });
    await mock.waitResponded(bTurn);

    since = mock.nextSeq;
    await a.submit('ASK-B: find the other session and ask it');
    const wakeB = await withScreens(mock.waitFor((r) => isB(r) && newText(r).includes('PLUGIN-PING'), { since, timeoutMs: 60_000, label: 'B woken with the ping' }), [a, b]);
    const text = newText(wakeB);
    expect(framedMessages(text).filter((m) => m.text.includes('PLUGIN-PING')).map((m) => m.from)).toEqual([codeA]);
    // The frame names the tools this session has: the plugin's.
    expect(text).toContain(`${TOOL}reply`);
    expect(text).not.toContain('mcp__intercom__reply');
    const wakeA = await withScreens(mock.waitFor((r) => isA(r) && newText(r).includes('PLUGIN-PONG'), { since, timeoutMs: 60_000, label: 'A woken with the reply' }), [a, b]);
    expect(framedMessages(newText(wakeA)).find((m) => m.text.includes('PLUGIN-PONG'))?.from).toBe(codeB);
  });

  it('doctor recognises the plugin, and warns when `claude-intercom install` entries run beside it', async () => {
    const alone = JSON.parse(await cli(sbx, ['doctor', '--json', '--no-self-test']).catch((e: { stdout: string }) => e.stdout)) as { checks: Array<{ id: string; status: string; detail: string }> };
    const plugin = alone.checks.find((c) => c.id === 'plugin')!;
    expect(plugin.status).toBe('ok');
    expect(plugin.detail).toMatch(/^intercom@claude-intercom \S+ enabled in ~\/\.claude\/settings\.json, from ~\/\.claude\/plugins\/cache\//);
    expect(alone.checks.find((c) => c.id === 'installed')!.status).toBe('ok');
    expect(alone.checks.find((c) => c.id === 'tools-allowed')!.detail).toContain('mcp__plugin_intercom_intercom');

    const installed = await cli(sbx, ['install', '--yes', '--no-bin']);
    expect(installed).toContain('Note: The Claude Code plugin intercom@claude-intercom is enabled too: with both, every hook runs twice');
    const both = JSON.parse(await cli(sbx, ['doctor', '--json', '--no-self-test']).catch((e: { stdout: string }) => e.stdout)) as { checks: Array<{ id: string; status: string; detail: string; fix?: string }> };
    const warned = both.checks.find((c) => c.id === 'plugin')!;
    expect(warned.status).toBe('warning');
    expect(warned.detail).toContain('every hook runs twice');
    expect(warned.fix).toMatch(/^Keep one: \S.* uninstall --yes {2}\(keeps the plugin\), or: claude plugin uninstall intercom@claude-intercom$/);
  });
});
