/** `doctor`: run every check, print ok / warning / failure with the fix, exit non-zero on a failure. */
import { join } from 'node:path';
import { selfCommand, withSelfCommand } from '../install/launcher.js';
import type { Context } from '../core/context.js';
import { findPackageRoot } from '../install/copy-app.js';
import { resolveLocations } from '../install/paths.js';
import {
  checkClaudeCode,
  checkConfigSyntax,
  checkEntryPaths,
  checkHookTimeouts,
  checkInstalled,
  checkMcpShadowing,
  checkNode,
  checkPrototype,
  checkSessions,
  checkStorePermissions,
  checkToolsAllowed,
} from './checks.js';
import { loadConfigs } from './configs.js';
import { checkPlugin } from './plugin.js';
import { checkSelfTest } from './self-test.js';
import { checkStoreSpace } from './store-space.js';
import { checkNodeStartCost, checkTeamEngine } from './team-checks.js';
import type { CheckResult, DoctorDeps, DoctorEnv, Exec } from './types.js';

export const CHECKS: ReadonlyArray<(env: DoctorEnv) => Promise<CheckResult>> = [
  checkNode,
  checkClaudeCode,
  checkConfigSyntax,
  checkInstalled,
  checkPlugin,
  checkEntryPaths,
  checkHookTimeouts,
  checkMcpShadowing,
  checkToolsAllowed,
  checkPrototype,
  checkStorePermissions,
  checkStoreSpace,
  checkSessions,
  checkNodeStartCost,
  checkTeamEngine,
  checkSelfTest,
];

export const execaExec: Exec = async (file, args, opts) => {
  const { execa } = await import('execa');
  const r = await execa(file, [...args], { env: opts.env, extendEnv: false, cwd: opts.cwd, timeout: opts.timeoutMs, reject: false, stdin: 'ignore' });
  const notFound = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String((r as { originalMessage?: string }).originalMessage ?? ''));
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), notFound };
};

export function doctorEnv(ctx: Context, deps: DoctorDeps = {}): DoctorEnv {
  const user = resolveLocations(ctx, 'user');
  const project = resolveLocations(ctx, 'project');
  return { ctx, deps, exec: deps.exec ?? execaExec, user, project, files: loadConfigs(user, project, ctx.homeDir) };
}

/** The cli.js doctor runs from (to spell fixes as a command that works without a PATH entry). */
function runningCli(deps: DoctorDeps): string | undefined {
  try {
    return join(deps.packageRoot ?? findPackageRoot(), 'dist', 'cli.js');
  } catch {
    return undefined;
  }
}

export async function runDoctor(ctx: Context, deps: DoctorDeps = {}): Promise<CheckResult[]> {
  const results = await runChecks(ctx, deps);
  const self = selfCommand(ctx, runningCli(deps));
  return results.map((r) => (r.fix ? { ...r, fix: withSelfCommand(r.fix, self) } : r));
}

async function runChecks(ctx: Context, deps: DoctorDeps): Promise<CheckResult[]> {
  const env = doctorEnv(ctx, deps);
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    try {
      results.push(await check(env));
    } catch (err) {
      results.push({ id: check.name, title: check.name, status: 'failure', detail: `The check itself failed: ${(err as Error).message}`, fix: 'Report this: https://github.com/ (claude-intercom issues), with the output of CLAUDE_INTERCOM_DEBUG=1 claude-intercom doctor' });
    }
  }
  return results;
}

const LABEL = { ok: 'ok      ', warning: 'warning ', failure: 'FAILURE ' } as const;

export function renderDoctor(results: readonly CheckResult[]): string {
  const lines = ['claude-intercom doctor', ''];
  for (const r of results) {
    const [first, ...rest] = r.detail.split('\n');
    lines.push(`${LABEL[r.status]} ${r.title}: ${first}`);
    for (const l of rest) lines.push(`         ${l}`);
    if (r.fix && r.status !== 'ok') for (const [i, l] of r.fix.split('\n').entries()) lines.push(`         ${i === 0 ? 'fix: ' : '     '}${l}`);
  }
  const n = (s: string) => results.filter((r) => r.status === s).length;
  lines.push('', `${n('ok')} ok, ${n('warning')} warning${n('warning') === 1 ? '' : 's'}, ${n('failure')} failure${n('failure') === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
