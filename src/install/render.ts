/** How plans and results read, for people and as JSON. */
import { hookCommand } from '../claude/hook-spec.js';
import { describeError } from '../core/errors.js';
import type { ExecuteResult, PreparedPlan } from './installer.js';
import { planHasWork } from './installer.js';
import { tildify } from './paths.js';
import { changeDiff } from './plan.js';

export function renderPlan(plan: PreparedPlan, homeDir: string): string {
  const t = (p: string) => tildify(p, homeDir);
  const lines: string[] = [];
  const where = plan.loc.scope === 'user' ? `user scope (${t(plan.loc.configDir)})` : `project scope (${t(plan.loc.projectDir ?? '')})`;
  lines.push(`${plan.command === 'install' ? 'Install' : 'Uninstall'} claude-intercom — ${where}`);
  if (plan.app) {
    lines.push(`  Program copy: ${t(plan.app.target)} — ${plan.app.action === 'skip' ? plan.app.reason : `${plan.app.action}: ${plan.app.reason}`}`);
  }
  if (plan.run) lines.push(`  Entries run:  ${hookCommand(plan.run.nodePath, plan.run.cliPath, 'hook')}  (and … watch / … serve)`);
  for (const dir of plan.appDirsToRemove) lines.push(`  Program copy: ${t(dir)} — delete (no install uses it any more)`);
  lines.push('');
  for (const c of plan.changes) {
    lines.push(`${t(c.path)}: ${c.action === 'skip' ? 'no change' : c.action} — ${c.reason}`);
    for (const w of c.warnings) lines.push(`  ! ${w}`);
    if (c.action !== 'skip') lines.push(indent(changeDiff(c)));
  }
  if (!planHasWork(plan)) {
    lines.push(plan.command === 'install' ? 'Nothing to do: everything is already installed and up to date.' : `Nothing to remove: no intercom entries found in ${where}.`);
  }
  for (const n of plan.notes) lines.push(`Note: ${n}`);
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function renderResult(result: ExecuteResult, homeDir: string): string {
  const t = (p: string) => tildify(p, homeDir);
  const lines: string[] = [];
  if (result.plan.app && result.plan.app.action !== 'skip') lines.push(`Copied claude-intercom ${result.plan.app.version} to ${t(result.plan.app.target)}`);
  for (const a of result.applied) {
    if (a.action === 'skip') {
      lines.push(`${t(a.path)}: no change needed any more (it changed meanwhile and already had it)`);
      continue;
    }
    const verb = a.action === 'create' ? 'Created' : a.action === 'delete' ? 'Deleted' : 'Updated';
    const extra = [a.backup ? `backup: ${t(a.backup)}` : '', a.reapplied ? `re-applied onto a change made meanwhile` : ''].filter(Boolean).join('; ');
    lines.push(`${verb} ${t(a.path)}${extra ? ` (${extra})` : ''}`);
  }
  for (const d of result.removedDirs) lines.push(`Removed ${t(d)}`);
  if (result.error) {
    lines.push(`Stopped: ${describeError(result.error)}`);
  } else if (result.plan.command === 'install') {
    const cmd = result.plan.peopleCommand;
    lines.push(`Done. Start (or restart) Claude Code sessions to load intercom. Check the set-up: ${cmd} doctor`);
    lines.push(`Commands for people: ${cmd} who  |  ${cmd} send <code|all> <text>  |  ${cmd} log --follow`);
  } else {
    lines.push('Done. Restart running Claude Code sessions so they drop intercom.');
    const left = result.leftInHome ?? [];
    if (left.length > 0) {
      const home = t(result.plan.loc.intercomHome);
      lines.push(
        left.includes('install-manifest.json')
          ? `Left in ${home}: ${left.join(', ')} (${describeLeft(left)}); your other installs still use it.`
          : `Left in ${home}: ${left.join(', ')} (${describeLeft(left)}). To delete it too: rm -rf ${home}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function describeLeft(names: readonly string[]): string {
  const known: Record<string, string> = {
    sessions: 'sessions',
    inbox: 'messages',
    log: 'the message log',
    tmp: 'messages being written',
    backups: 'copies of your config files from before each change',
    app: 'the program other installs run',
    'debug.log': 'hook errors',
    'install-manifest.json': 'the record of the other installs',
  };
  const said = names.map((n) => known[n]).filter((x): x is string => !!x);
  return [...new Set(said)].join('; ') || 'intercom data';
}

export function planJson(plan: PreparedPlan): Record<string, unknown> {
  return {
    command: plan.command,
    scope: plan.loc.scope,
    ...(plan.loc.projectDir ? { projectDir: plan.loc.projectDir } : {}),
    parts: plan.parts,
    nothingToDo: !planHasWork(plan),
    ...(plan.app ? { app: { target: plan.app.target, version: plan.app.version, action: plan.app.action, reason: plan.app.reason } } : {}),
    ...(plan.run ? { run: plan.run } : {}),
    peopleCommand: plan.peopleCommand,
    ...(plan.launcher ? { launcher: plan.launcher } : {}),
    appDirsToRemove: plan.appDirsToRemove,
    changes: plan.changes.map((c) => ({ path: c.path, action: c.action, reason: c.reason, warnings: c.warnings, diff: changeDiff(c) })),
    notes: plan.notes,
  };
}

export function resultJson(result: ExecuteResult, dryRun: boolean): Record<string, unknown> {
  return {
    ok: !result.error,
    dryRun,
    ...planJson(result.plan),
    written: result.applied.map((a) => ({ path: a.path, action: a.action, ...(a.backup ? { backup: a.backup } : {}), reapplied: a.reapplied })),
    ...(result.backupDir ? { backupDir: result.backupDir } : {}),
    removedDirs: result.removedDirs,
    manifest: result.manifestPath,
    ...(result.leftInHome ? { leftInHome: result.leftInHome } : {}),
    ...(result.error ? { error: describeError(result.error) } : {}),
  };
}
