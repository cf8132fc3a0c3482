/** One function per check: each returns what it found and, when something is wrong, the fix. */
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HOOK_ENTRIES, MCP_SERVER_NAME, COMMAND_MARKER, withoutExec } from '../claude/hook-spec.js';
import { isPlainObject } from '../install/jsonc-edit.js';
import { readManifest, type InstallRecord } from '../install/manifest.js';
import { tildify } from '../install/paths.js';
import { checkPrivateDir } from '../store/fs/fs-util.js';
import { openLocalStore, type IntercomStore } from '../store/index.js';
import { findPlugins, PLUGIN_ALLOW_RULE } from './plugin.js';
import { allConfigFiles, commandKind, findInstalls, localServers, shellWords, type ScopeInstall } from './configs.js';
import { failure, ok, warning, type CheckResult, type DoctorEnv } from './types.js';

/** Node.js 20.12 is what the package's `engines` asks for (stable `process.loadEnvFile`, fs APIs). */
export { MIN_NODE_VERSION } from '../cli/node-version.js';
import { MIN_NODE_VERSION } from '../cli/node-version.js';
/**
 * The oldest Claude Code that has what intercom relies on: `asyncRewake` on Stop/SessionStart
 * hooks (wakes an idle session) and `additionalContext` from PostToolUse hooks (busy delivery).
 */
export const MIN_CLAUDE_CODE_VERSION = '2.1.0';
/** The idle watcher must outlive a long idle stretch; Claude Code kills an async hook at its timeout. */
export const MIN_WATCH_TIMEOUT_SECONDS = 3600;
/** `hook` answers in milliseconds; a larger timeout only delays a wedged session. */
export const MAX_HOOK_TIMEOUT_SECONDS = 60;

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const t = (env: DoctorEnv, p: string) => tildify(p, env.ctx.homeDir);

// ---- runtime -------------------------------------------------------------------------------------

export async function checkNode(env: DoctorEnv): Promise<CheckResult> {
  const v = env.deps.nodeVersion ?? process.versions.node;
  const title = 'Node.js';
  if (compareVersions(v, MIN_NODE_VERSION) >= 0) return ok('node', title, `Node.js ${v} (needs >= ${MIN_NODE_VERSION})`);
  return failure('node', title, `Node.js ${v} is older than ${MIN_NODE_VERSION}.`, `Install Node.js ${MIN_NODE_VERSION} or newer (e.g. nvm install 20 && nvm use 20), then run \`claude-intercom install\` again so the entries use it.`);
}

export async function checkClaudeCode(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Claude Code';
  const r = await env.exec('claude', ['--version'], { env: env.ctx.env, cwd: env.ctx.cwd, timeoutMs: 15_000 });
  if (r.notFound) {
    return warning('claude-code', title, 'No `claude` on PATH.', 'Install Claude Code (npm install -g @anthropic-ai/claude-code, or the native installer) and make sure `claude --version` works in this shell.');
  }
  const m = /(\d+\.\d+\.\d+)/.exec(r.stdout);
  if (r.exitCode !== 0 || !m) {
    return warning('claude-code', title, `\`claude --version\` failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 200)}`, 'Run `claude --version` yourself and fix what it reports.');
  }
  const v = m[1]!;
  if (compareVersions(v, MIN_CLAUDE_CODE_VERSION) < 0) {
    return failure('claude-code', title, `Claude Code ${v} is older than ${MIN_CLAUDE_CODE_VERSION}: it lacks asyncRewake hooks (waking idle sessions) or hook additionalContext.`, 'Update Claude Code: claude update  (or npm install -g @anthropic-ai/claude-code@latest).');
  }
  return ok('claude-code', title, `Claude Code ${v} (needs >= ${MIN_CLAUDE_CODE_VERSION})`);
}

// ---- config files --------------------------------------------------------------------------------

export async function checkConfigSyntax(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Config files Claude Code reads';
  const bad = allConfigFiles(env).filter((f) => f.issue);
  const present = allConfigFiles(env).filter((f) => f.text !== null);
  if (bad.length === 0 && present.length === 0) return ok('config-syntax', title, 'None of them exists yet (Claude Code and install create them).');
  if (bad.length === 0) return ok('config-syntax', title, `${present.length} present, all strict JSON: ${present.map((f) => t(env, f.path)).join(', ')}`);
  return failure('config-syntax', title, bad.map((f) => f.issue!.message).join('\n'), bad.map((f) => f.issue!.hint ?? '').join('\n'));
}

function missingParts(s: ScopeInstall): string[] {
  const missing: string[] = [];
  if (!s.mcp) missing.push('the MCP server entry');
  for (const spec of HOOK_ENTRIES) {
    const has = s.hooks.some((h) => h.event === spec.event && (h.matcher ?? '') === (spec.matcher ?? '') && commandKind(String(h.value.command)) === spec.kind);
    if (!has) missing.push(`the ${spec.event}${spec.matcher ? ` (${spec.matcher})` : ''} ${spec.kind} hook`);
  }
  if (!s.skill) missing.push('the skill');
  return missing;
}

export async function checkInstalled(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Installed entries';
  const installs = findInstalls(env);
  const plugins = findPlugins(env);
  if (installs.length === 0 && plugins.length > 0) return ok('installed', title, `None: intercom runs as the Claude Code plugin ${plugins.map((p) => p.id).join(', ')} (see below).`);
  if (installs.length === 0) {
    // Nothing here, but the install record may know of an install elsewhere (another project).
    const elsewhere = installsElsewhere(env);
    if (elsewhere.length > 0) {
      return warning(
        'installed',
        title,
        `No intercom entries in the user scope or in this project (${t(env, env.project.projectDir ?? env.ctx.cwd)}). Installed elsewhere: ${elsewhere.map((r) => `project scope in ${t(env, r.projectDir!)}`).join(', ')}.`,
        `Sessions in those projects have intercom. To check one: cd ${shq(elsewhere[0]!.projectDir!)} && claude-intercom doctor. For every project: claude-intercom install --yes`,
      );
    }
    return failure('installed', title, 'No intercom entries in the user scope or in this project.', 'Run: claude-intercom install');
  }
  const lines: string[] = [];
  const problems: string[] = [];
  for (const s of installs) {
    const missing = missingParts(s);
    const where = s.scope === 'user' ? 'user scope' : `project ${t(env, env.project.projectDir ?? '')}`;
    if (missing.length === 0) lines.push(`${where}: MCP server, ${s.hooks.length} hooks, skill`);
    else problems.push(`${where}: missing ${missing.join(', ')}`);
    const counts = new Map<string, number>();
    for (const h of s.hooks) {
      const key = `${h.event}|${h.matcher ?? ''}|${commandKind(String(h.value.command))}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) if (n > 1) problems.push(`${where}: the ${key.split('|')[0]} ${key.split('|')[2]} hook is there ${n} times (it runs ${n} times)`);
    for (const file of s.inSharedFiles) {
      problems.push(`${t(env, file)} is a file people commit, and it holds intercom entries with your own paths: a teammate without intercom gets hook errors`);
    }
  }
  const both = installs.length === 2 && installs.every((s) => s.hooks.length > 0);
  if (both) problems.push('hooks are installed in both the user scope and this project: every event runs them twice');
  if (problems.length === 0) return ok('installed', title, lines.join('\n'));
  const scopeFlag = installs.some((s) => s.scope === 'project') && !installs.some((s) => s.scope === 'user') ? ' --scope project' : '';
  const shared = installs.some((s) => s.inSharedFiles.length > 0);
  const fix = both
    ? 'Keep one: claude-intercom uninstall --scope project  (or --scope user)'
    : shared
      ? 'Run: claude-intercom install --yes --scope project  (it moves them to your own ~/.claude.json and .claude/settings.local.json)'
      : `Run: claude-intercom install --yes${scopeFlag}  (it adds what is missing and removes duplicates)`;
  return warning('installed', title, [...lines, ...problems].join('\n'), fix);
}

/** Project-scope installs the install record knows of, other than this project's. */
function installsElsewhere(env: DoctorEnv): InstallRecord[] {
  try {
    return Object.values(readManifest(env.user.intercomHome).installs).filter((r) => r.scope === 'project' && r.projectDir && r.projectDir !== env.project.projectDir);
  } catch {
    return [];
  }
}

function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export async function checkEntryPaths(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Entries point at files that run';
  const installs = findInstalls(env);
  if (installs.length === 0) return ok('entry-paths', title, 'Nothing installed to check.');
  const problems: string[] = [];
  const seen: string[] = [];
  const runs = new Map<string, { node: string; script: string }>();
  for (const s of installs) {
    const targets: Array<{ what: string; node: string | undefined; script: string | undefined }> = [];
    if (s.mcp) {
      const args = Array.isArray(s.mcp.entry.args) ? s.mcp.entry.args.map(String) : [];
      targets.push({ what: `${s.scope} MCP server (${t(env, s.mcp.file)})`, node: typeof s.mcp.entry.command === 'string' ? s.mcp.entry.command : undefined, script: args[0] });
    }
    for (const h of s.hooks) {
      const words = withoutExec(shellWords(String(h.value.command)));
      targets.push({ what: `${s.scope} ${h.event} hook`, node: words[0], script: words[1] });
    }
    for (const x of targets) {
      if (!x.node || !x.node.startsWith('/')) {
        problems.push(`${x.what} runs \`${x.node ?? '?'}\`, not an absolute Node.js path (slow to start, and it breaks when PATH differs)`);
        continue;
      }
      if (!isExecutable(x.node)) problems.push(`${x.what}: Node.js ${x.node} does not exist or is not executable`);
      if (!x.script || !existsSync(x.script)) problems.push(`${x.what}: ${x.script ?? '(no script)'} does not exist`);
      else if (x.what.includes('MCP server')) runs.set(`${x.node}\0${x.script}`, { node: x.node, script: x.script });
      seen.push(x.script ?? '');
    }
  }
  // The MCP entry's program must actually start.
  for (const { node, script } of runs.values()) {
    if (!isExecutable(node)) continue;
    const r = await env.exec(node, [script, '--version'], { env: env.ctx.env, cwd: env.ctx.cwd, timeoutMs: 15_000 });
    if (r.exitCode !== 0) problems.push(`${node} ${script} --version failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  }
  const versions = new Set(seen.map((p) => /\/app\/([^/]+)\//.exec(p)?.[1]).filter(Boolean));
  if (problems.length) return failure('entry-paths', title, problems.join('\n'), 'Run: claude-intercom install --yes  (it points every entry at a fresh installed copy and the current Node.js)');
  if (versions.size > 1) return warning('entry-paths', title, `Entries run different installed versions: ${[...versions].join(', ')}`, 'Run: claude-intercom install --yes  (in each scope you use) so they all run one version.');
  return ok('entry-paths', title, `${seen.length} entries; Node.js and scripts exist${runs.size ? ', the server starts' : ''}`);
}

export async function checkHookTimeouts(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Hook timeouts (seconds)';
  const hooks = findInstalls(env).flatMap((s) => s.hooks);
  if (hooks.length === 0) return ok('hook-timeouts', title, 'No intercom hooks to check.');
  const problems: string[] = [];
  const known = new Set(HOOK_ENTRIES.map((e) => e.event));
  for (const h of hooks) {
    const kind = commandKind(String(h.value.command));
    const timeout = h.value.timeout;
    const where = `${t(env, h.file)} ${h.event}`;
    if (!known.has(h.event)) problems.push(`${where}: intercom has no hook on ${h.event} any more (left over from an older install)`);
    if (kind === 'watch') {
      if (typeof timeout !== 'number') problems.push(`${where} watch: no timeout, so Claude Code kills it after 600 s and an idle session stops being woken`);
      else if (timeout < MIN_WATCH_TIMEOUT_SECONDS) problems.push(`${where} watch: timeout ${timeout} s is under ${MIN_WATCH_TIMEOUT_SECONDS} s; an idle session stops being woken after that`);
      if (h.value.asyncRewake !== true) problems.push(`${where} watch: "asyncRewake": true is missing, so its exit 2 cannot wake the session`);
    } else {
      if (typeof timeout === 'number' && timeout >= 1000) problems.push(`${where} hook: timeout ${timeout} looks like milliseconds; Claude Code's unit is seconds (${timeout} s = ${Math.round(timeout / 60)} min)`);
      else if (typeof timeout === 'number' && timeout > MAX_HOOK_TIMEOUT_SECONDS) problems.push(`${where} hook: timeout ${timeout} s is over ${MAX_HOOK_TIMEOUT_SECONDS} s`);
      if (h.value.asyncRewake === true || h.value.async === true) problems.push(`${where} hook: must run synchronously (no async/asyncRewake), or its messages never reach the model`);
    }
  }
  if (problems.length) return failure('hook-timeouts', title, problems.join('\n'), 'Run: claude-intercom install --yes  (it rewrites our hook entries from the spec)');
  return ok('hook-timeouts', title, `${hooks.length} hooks: watchers >= ${MIN_WATCH_TIMEOUT_SECONDS} s with asyncRewake, hooks <= ${MAX_HOOK_TIMEOUT_SECONDS} s`);
}

function includesIntercom(v: unknown): boolean {
  return Array.isArray(v) && v.includes(MCP_SERVER_NAME);
}

export async function checkMcpShadowing(env: DoctorEnv): Promise<CheckResult> {
  const title = 'MCP server not shadowed, duplicated or disabled';
  const f = env.files;
  const fails: string[] = [];
  const warns: string[] = [];
  const fixes: string[] = [];
  const userEntry = isPlainObject(f.claudeJson.value?.mcpServers) && MCP_SERVER_NAME in (f.claudeJson.value!.mcpServers as object);
  const projectEntry = isPlainObject(f.projectMcpJson.value?.mcpServers) && MCP_SERVER_NAME in (f.projectMcpJson.value!.mcpServers as object);
  const here = localServers(f.claudeJson, env.project.projectDir);
  const localEntry = isPlainObject(here) && MCP_SERVER_NAME in here;

  if (isPlainObject(f.homeMcpJson.value?.mcpServers) && MCP_SERVER_NAME in (f.homeMcpJson.value!.mcpServers as object)) {
    warns.push(`${t(env, f.homeMcpJson.path)} has an "${MCP_SERVER_NAME}" server. That file is not global: Claude Code reads it as a project .mcp.json in ~ and below, where it duplicates (and needs approval beside) the real entry.`);
    fixes.push(`Remove "${MCP_SERVER_NAME}" from "mcpServers" in ${t(env, f.homeMcpJson.path)} (the user-scope entry lives in ${t(env, f.claudeJson.path)}).`);
  }
  const projects = f.claudeJson.value?.projects;
  if (isPlainObject(projects)) {
    for (const [dir, p] of Object.entries(projects)) {
      if (!isPlainObject(p)) continue;
      // A local-scope entry is what a project-scope install writes: only beside a user-scope entry
      // is it one too many.
      if (userEntry && isPlainObject(p.mcpServers) && MCP_SERVER_NAME in p.mcpServers) {
        warns.push(`${t(env, f.claudeJson.path)} has a local-scope "${MCP_SERVER_NAME}" server for ${dir} besides the user-scope one: two entries for one server there.`);
        fixes.push(`Keep one: cd ${JSON.stringify(dir)} && claude-intercom uninstall --scope project  (or claude-intercom uninstall --scope user)`);
      }
      for (const key of ['disabledMcpServers', 'disabledMcpjsonServers'] as const) {
        if (includesIntercom(p[key])) {
          fails.push(`${t(env, f.claudeJson.path)}: projects["${dir}"].${key} contains "${MCP_SERVER_NAME}": the server is disabled there.`);
          fixes.push(`Remove "${MCP_SERVER_NAME}" from projects["${dir}"].${key} in ${t(env, f.claudeJson.path)} (or enable it with /mcp inside Claude Code in ${dir}).`);
        }
      }
    }
  }
  for (const key of ['disabledMcpServers', 'disabledMcpjsonServers'] as const) {
    for (const file of [f.claudeJson, f.userSettings, f.projectSettings, f.projectLocalSettings]) {
      if (includesIntercom(file.value?.[key])) {
        fails.push(`${t(env, file.path)}: ${key} contains "${MCP_SERVER_NAME}": the server is disabled.`);
        fixes.push(`Remove "${MCP_SERVER_NAME}" from ${key} in ${t(env, file.path)}.`);
      }
    }
  }
  if (localEntry && projectEntry) {
    warns.push(`"${MCP_SERVER_NAME}" is configured both in your local scope for this project and in ${t(env, f.projectMcpJson.path)} (a file people commit).`);
    fixes.push('Run: claude-intercom install --yes --scope project  (it takes ours out of the committed file)');
  }
  if (userEntry && projectEntry) {
    warns.push(`"${MCP_SERVER_NAME}" is configured both in the user scope and in ${t(env, f.projectMcpJson.path)}: two entries for one server.`);
    fixes.push('Keep one: claude-intercom uninstall --scope project');
  }
  if (projectEntry) {
    const approved = [f.projectSettings, f.projectLocalSettings, f.userSettings].some((file) => file.value?.enableAllProjectMcpServers === true || includesIntercom(file.value?.enabledMcpjsonServers));
    const cwdState = isPlainObject(projects) ? projects[env.project.projectDir ?? env.ctx.cwd] : undefined;
    const approvedInState = isPlainObject(cwdState) && includesIntercom(cwdState.enabledMcpjsonServers);
    if (!approved && !approvedInState) {
      warns.push(`${t(env, f.projectMcpJson.path)} has "${MCP_SERVER_NAME}" but nothing approves it: Claude Code asks, and its dialog defaults to disabling it.`);
      fixes.push(`Run: claude-intercom install --yes --scope project  (it moves the server to your local scope, where it needs no approval)`);
    }
  }
  const detail = [...fails, ...warns].join('\n');
  if (fails.length) return failure('mcp-shadowing', title, detail, fixes.join('\n'));
  if (warns.length) return warning('mcp-shadowing', title, detail, fixes.join('\n'));
  const entries = findInstalls(env).filter((s) => s.mcp).length;
  if (entries === 0) return ok('mcp-shadowing', title, 'No intercom MCP server entry to check.');
  return ok('mcp-shadowing', title, 'One entry, not disabled anywhere Claude Code looks.');
}

/** Does a permission rule name intercom's tools (the whole server, or a wildcard over it)? */
function coversIntercom(rule: unknown): boolean {
  return typeof rule === 'string' && (rule === `mcp__${MCP_SERVER_NAME}` || rule === `mcp__${MCP_SERVER_NAME}__*`);
}

export async function checkToolsAllowed(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Intercom tools allowed without a prompt';
  const f = env.files;
  const files = [f.userSettings, f.projectSettings, f.projectLocalSettings];
  const rules = (file: (typeof files)[number], key: 'allow' | 'deny'): unknown[] => {
    const perms = file.value?.permissions;
    return isPlainObject(perms) && Array.isArray(perms[key]) ? perms[key] : [];
  };
  const denied = files.filter((file) => rules(file, 'deny').some((r) => typeof r === 'string' && r.startsWith(`mcp__${MCP_SERVER_NAME}`)));
  if (denied.length) {
    return failure('tools-allowed', title, `permissions.deny in ${denied.map((file) => t(env, file.path)).join(', ')} blocks intercom's tools.`, `Remove the mcp__${MCP_SERVER_NAME} rule from permissions.deny there.`);
  }
  // With only the plugin, its tools have their own names and need their own rule.
  const pluginOnly = findInstalls(env).every((s) => !s.mcp) && findPlugins(env).length > 0;
  const rule = pluginOnly ? PLUGIN_ALLOW_RULE : `mcp__${MCP_SERVER_NAME}`;
  const allowedIn = files.filter((file) => rules(file, 'allow').some((r) => (pluginOnly ? r === PLUGIN_ALLOW_RULE || r === `${PLUGIN_ALLOW_RULE}__*` : coversIntercom(r))));
  if (allowedIn.length) return ok('tools-allowed', title, `permissions.allow has ${rule} in ${allowedIn.map((file) => t(env, file.path)).join(', ')}`);
  if (pluginOnly) {
    return warning(
      'tools-allowed',
      title,
      `No permissions.allow rule for the plugin's tools (${PLUGIN_ALLOW_RULE}): each intercom call asks you first, so a session woken by a message cannot answer it while nobody is at the keyboard.`,
      `Add "${PLUGIN_ALLOW_RULE}" to permissions.allow in ${t(env, f.userSettings.path)} (or answer "always allow" the first time a session asks).`,
    );
  }
  return warning(
    'tools-allowed',
    title,
    `No permissions.allow rule for mcp__${MCP_SERVER_NAME}: each intercom call asks you first (in auto mode it goes to a server-side check), so a session woken by a message cannot answer it while nobody is at the keyboard.`,
    `Run: claude-intercom install --yes  (it adds "mcp__${MCP_SERVER_NAME}" to permissions.allow in ${t(env, f.userSettings.path)}), or add it yourself.`,
  );
}

const RUNNER = /(^|[\s;&|(])(npx|bunx|pnpx|pnpm\s+dlx|yarn\s+dlx|npm\s+exec)\s/;

export async function checkPrototype(env: DoctorEnv): Promise<CheckResult> {
  const title = 'No prototype (npx) entries';
  const found: string[] = [];
  for (const file of allConfigFiles(env)) {
    const hooks = file.value?.hooks;
    if (isPlainObject(hooks)) {
      for (const [event, groups] of Object.entries(hooks)) {
        if (!Array.isArray(groups)) continue;
        for (const g of groups) {
          if (!isPlainObject(g) || !Array.isArray(g.hooks)) continue;
          for (const h of g.hooks) {
            const cmd = isPlainObject(h) && typeof h.command === 'string' ? h.command : '';
            if (cmd.includes(COMMAND_MARKER) && RUNNER.test(cmd)) found.push(`${t(env, file.path)} ${event}: ${cmd}`);
          }
        }
      }
    }
    const serverSets: unknown[] = [file.value?.mcpServers];
    if (isPlainObject(file.value?.projects)) for (const p of Object.values(file.value.projects)) if (isPlainObject(p)) serverSets.push(p.mcpServers);
    for (const servers of serverSets) {
      if (!isPlainObject(servers)) continue;
      for (const [name, s] of Object.entries(servers)) {
        if (!isPlainObject(s)) continue;
        const line = [s.command, ...(Array.isArray(s.args) ? s.args : [])].join(' ');
        if (line.includes(COMMAND_MARKER) && RUNNER.test(` ${line} `)) found.push(`${t(env, file.path)} mcpServers.${name}: ${line}`);
      }
    }
  }
  if (found.length === 0) return ok('prototype', title, 'No entry runs claude-intercom through a package runner.');
  return failure(
    'prototype',
    title,
    `Entries run claude-intercom through a package runner (slow on every tool call, and they break when its cache is cleaned):\n${found.join('\n')}`,
    'Run: claude-intercom install --yes  (it replaces them with entries on an installed copy)',
  );
}

// ---- the store -----------------------------------------------------------------------------------

export async function checkStorePermissions(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Store permissions';
  const home = env.user.intercomHome;
  if (!existsSync(home)) return ok('store', title, `${t(env, home)} does not exist yet (the first session creates it, 0700).`);
  try {
    checkPrivateDir(home);
  } catch (err) {
    const e = err as Error & { hint?: string };
    return failure('store', title, e.message, e.hint ?? `chmod 700 ${JSON.stringify(home)}`);
  }
  return ok('store', title, `${t(env, home)}: yours, mode 700`);
}

export async function checkSessions(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Sessions';
  const home = env.user.intercomHome;
  const sessionsDir = join(home, 'sessions');
  if (!existsSync(sessionsDir)) return ok('sessions', title, 'No sessions have registered yet.');
  let store: IntercomStore;
  try {
    checkPrivateDir(home);
    store = openLocalStore(home);
  } catch (err) {
    return warning('sessions', title, `Could not open the store: ${(err as Error).message}`, 'Fix the store check above first.');
  }
  const records = readdirSync(sessionsDir).filter((n) => n.endsWith('.json')).length;
  const live = await store.sessions(); // prunes the records of dead sessions
  const stale = Math.max(0, records - live.length);
  const described: string[] = [];
  for (const s of live) described.push(`${s.code} (${s.projectName}, pid ${s.pid}${(await store.watcherLease(s.code)) ? ', idle watcher' : ''})`);
  const list = described.join(', ');
  return ok('sessions', title, `${live.length} live${live.length ? `: ${list}` : ''}${stale ? `; removed ${stale} stale record${stale === 1 ? '' : 's'} of sessions that ended without saying so` : ''}`);
}
