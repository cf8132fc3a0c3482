/**
 * Install and uninstall as plan-then-apply: `prepare*` reads every file and computes the whole
 * plan (refusing before anything is written), `execute*` writes it and records what it did.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { Context } from '../core/context.js';
import { resolveProject } from '../core/project.js';
import { IntercomError } from '../core/errors.js';
import { applyChanges, removeEmptyDirs, type AppliedChange, type ApplySeams } from './apply.js';
import { applyAppCopy, findPackageRoot, planAppCopy, type AppCopyPlan } from './copy-app.js';
import { PlanRefusedError } from './errors.js';
import { JsonDoc } from './jsonc-edit.js';
import { enabledIntercomPlugins } from './plugin-detect.js';
import { commandOnPath, isOurLauncher, LAUNCHER_NAME, launcherDir, launcherRemoval, launcherTransform, peopleCommand, selfCommand, withSelfCommand } from './launcher.js';
import { knownAppPaths, manifestPath, readManifest, sha256, writeManifest, type FileRecord, type InstallRecord, type Manifest } from './manifest.js';
import { ALL_PARTS, resolveLocations, type Locations, type Part, type Scope } from './paths.js';
import { hasWork, planChanges, readFileState, type FileChange, type FileState, type FileTransform, type TransformResult } from './plan.js';
import { detectClaudeVersion, supportsMcpToolHooks } from './claude-version.js';
import { JSON_TARGETS, Recognizer, type CommandSpec, type CreatedKeys, type JsonTarget } from './targets.js';

/** What can be injected (tests); everything else comes from the Context. */
export interface InstallDeps {
  /** Root of the claude-intercom package to install (default: the running one). */
  packageRoot?: string;
  /** The Node.js binary config entries run (default: this process's). */
  nodePath?: string;
  seams?: ApplySeams;
  /** The Claude Code version to install for (default: `claude --version` on PATH; decides mcp_tool vs command hooks). */
  claudeVersion?: string | null;
}

export interface PreparedPlan {
  command: 'install' | 'uninstall';
  loc: Locations;
  parts: Part[];
  app?: AppCopyPlan;
  run?: CommandSpec;
  changes: FileChange[];
  manifest: Manifest;
  /** Extra words for people (not problems). */
  notes: string[];
  /** For uninstall: copies of the app that go when nothing uses them any more. */
  appDirsToRemove: string[];
  templateSha256?: string;
  /** Install: the `claude-intercom` launcher this plan writes (or keeps), if any. */
  launcher?: string;
  /** How people run intercom's commands after this plan (`claude-intercom`, or the exact command). */
  peopleCommand: string;
}

export interface ExecuteResult {
  plan: PreparedPlan;
  applied: AppliedChange[];
  backupDir?: string;
  removedDirs: string[];
  manifestPath: string;
  /** Uninstall: what is still in the intercom home (the store, backups, logs), by name. */
  leftInHome?: string[];
  error?: IntercomError;
}

const SKILL_TEMPLATE = join('templates', 'skill', 'SKILL.md');

function backupDirFor(ctx: Pick<Context, 'now'>, home: string): string {
  return join(home, 'backups', new Date(ctx.now()).toISOString().replace(/[:.]/g, '-'));
}

function readStates(paths: readonly string[]): { states: Map<string, FileState>; problems: IntercomError[] } {
  const states = new Map<string, FileState>();
  const problems: IntercomError[] = [];
  for (const p of paths) {
    try {
      states.set(p, readFileState(p));
    } catch (err) {
      problems.push(err instanceof IntercomError ? err : new IntercomError(`Cannot read ${p}: ${(err as Error).message}`));
    }
  }
  return { states, problems };
}

function filesOf(loc: Locations, scope: Scope, parts: readonly Part[]): Map<string, typeof JSON_TARGETS[Scope][number][]> {
  const byFile = new Map<string, typeof JSON_TARGETS[Scope][number][]>();
  for (const t of JSON_TARGETS[scope]) {
    if (!parts.includes(t.part)) continue;
    const f = t.file(loc);
    byFile.set(f, [...(byFile.get(f) ?? []), t]);
  }
  return byFile;
}

function newFileMode(loc: Locations, path: string): number {
  // ~/.claude.json holds account state: private, as Claude Code itself creates it.
  return path === loc.claudeJson ? 0o600 : 0o644;
}

// ---- install -------------------------------------------------------------------------------------

export interface InstallChoice {
  scope: Scope;
  parts: Part[];
  /** Put a `claude-intercom` launcher in ~/.local/bin (or ~/bin) when one is on PATH (default: yes). */
  bin?: boolean;
}

export async function prepareInstall(ctx: Context, choice: InstallChoice, deps: InstallDeps = {}): Promise<PreparedPlan> {
  if (choice.parts.length === 0) throw new IntercomError('Nothing to install: every part was turned off.', 'Leave at least one of --mcp, --hooks, --skill, --allow on.', 2);
  const loc = resolveLocations(ctx, choice.scope);
  const manifest = readManifest(loc.intercomHome);
  const record = manifest.installs[loc.key];
  const root = deps.packageRoot ?? findPackageRoot();
  const needsApp = choice.parts.includes('mcp') || choice.parts.includes('hooks');
  const app = needsApp ? planAppCopy(root, loc.intercomHome) : undefined;
  const claudeVersion = deps.claudeVersion === undefined ? (choice.parts.includes('hooks') ? detectClaudeVersion(ctx) : undefined) : (deps.claudeVersion ?? undefined);
  const run: CommandSpec | undefined = app
    ? // mcp_tool hooks call our MCP server: only where it is installed too, and only in user scope.
      // A project's settings.local.json is read by anyone who starts Claude Code in that folder; for
      // someone without our server an mcp_tool hook fails loudly, a command hook finds no session
      // and stays silent.
      {
        nodePath: deps.nodePath ?? process.execPath,
        cliPath: app.cliPath,
        mcpToolHooks: choice.scope === 'user' && choice.parts.includes('mcp') && supportsMcpToolHooks(claudeVersion),
      }
    : undefined;
  const rec = new Recognizer([...knownAppPaths(manifest, loc.intercomHome), ...(app ? [`${app.target}${sep}`] : [])]);

  const transforms: FileTransform[] = [];
  for (const [path, targets] of filesOf(loc, choice.scope, choice.parts)) {
    // A file we no longer write (an older install's entries in the project's committed files):
    // our entries go, exactly as uninstall takes them out.
    if (targets.every((t) => t.removeOnly)) {
      if (existsSync(path)) transforms.push(undoTransform(loc, path, targets, record?.files[path], rec));
      continue;
    }
    transforms.push({
      path,
      kind: 'json',
      parts: [...new Set(targets.map((t) => t.part))],
      newFileMode: newFileMode(loc, path),
      compute(current): TransformResult {
        const doc = new JsonDoc(path, current ?? '');
        const out: TransformResult = { after: null, summary: [], warnings: [], created: [] };
        for (const t of targets) {
          const e = t.removeOnly ? { ...t.uninstall(doc, rec, record?.files[path]?.createdKeys, loc), created: [] } : t.install(doc, run!, rec, loc);
          out.summary.push(...e.summary);
          out.warnings.push(...e.warnings);
          out.created.push(...e.created);
        }
        out.after = current === null && out.summary.length === 0 ? null : doc.text();
        return out;
      },
    });
  }

  const notes: string[] = projectScopeNotes(loc);
  for (const id of enabledIntercomPlugins(loc)) {
    notes.push(`The Claude Code plugin ${id} is enabled too: with both, every hook runs twice and sessions get two intercom servers. Keep one: claude plugin uninstall ${id}, or do not install.`);
  }
  const launcher = run ? planLauncher(ctx, choice.bin !== false, notes) : undefined;
  if (launcher) transforms.push(launcherTransform(launcher, run!.nodePath, run!.cliPath));

  let templateSha256: string | undefined;
  if (choice.parts.includes('skill')) {
    const templatePath = join(root, SKILL_TEMPLATE);
    if (!existsSync(templatePath)) throw new IntercomError(`The skill template ${templatePath} is missing.`, 'Reinstall claude-intercom.');
    const template = readFileSync(templatePath, 'utf8');
    templateSha256 = sha256(template);
    const previous = record?.files[loc.skillFile]?.templateSha256;
    transforms.push({
      path: loc.skillFile,
      kind: 'text',
      parts: ['skill'],
      newFileMode: 0o644,
      compute(current): TransformResult {
        if (current === template) return { after: current, summary: [], warnings: [], created: [] };
        if (current === null) return { after: template, summary: ['add the intercom skill'], warnings: [], created: [] };
        if (previous !== undefined && sha256(current) === previous) return { after: template, summary: ['update the intercom skill'], warnings: [], created: [] };
        return {
          after: current,
          summary: [],
          warnings: [`${loc.skillFile} differs from the skill intercom installs (edited, or not ours); left as is. To get ours, move it away and run install again.`],
          created: [],
        };
      },
    });
  }

  const { states, problems } = readStates(transforms.map((t) => t.path));
  if (problems.length) throw new PlanRefusedError(problems);
  const plan = planChanges(transforms, states);
  if (plan.problems.length) throw new PlanRefusedError(plan.problems);
  const peopleCmd = peopleCommand(ctx, run, launcher !== undefined && plan.changes.some((c) => c.path === launcher && c.after !== null && isOurLauncher(c.after)));
  if (peopleCmd !== LAUNCHER_NAME) notes.push(`Run intercom's commands for people as: ${peopleCmd} who | send | log | doctor`);
  return { command: 'install', peopleCommand: peopleCmd, ...(launcher ? { launcher } : {}), loc, parts: choice.parts, ...(app ? { app } : {}), ...(run ? { run } : {}), changes: plan.changes, manifest, notes, appDirsToRemove: [], ...(templateSha256 ? { templateSha256 } : {}) };
}

export function planHasWork(plan: PreparedPlan): boolean {
  return hasWork(plan.changes) || plan.app?.action === 'create' || plan.app?.action === 'update' || plan.appDirsToRemove.length > 0;
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
}

export async function executeInstall(ctx: Context, plan: PreparedPlan, deps: InstallDeps = {}): Promise<ExecuteResult> {
  const { loc } = plan;
  if (plan.app) applyAppCopy(plan.app);
  const backupDir = backupDirFor(ctx, loc.intercomHome);
  const outcome = await applyChanges(plan.changes, { backupDir, ...(deps.seams ? { seams: deps.seams } : {}) });

  // Record what was done, including when a later file failed (so uninstall can undo the rest).
  const manifest = readManifest(loc.intercomHome);
  const now = new Date(ctx.now()).toISOString();
  const prev = manifest.installs[loc.key];
  const record: InstallRecord = {
    scope: loc.scope,
    configDir: loc.configDir,
    ...(loc.projectDir ? { projectDir: loc.projectDir } : {}),
    version: plan.app?.version ?? prev?.version ?? 'unknown',
    ...(plan.app ? { appDir: plan.app.target } : prev?.appDir ? { appDir: prev.appDir } : {}),
    ...(plan.run ? { nodePath: plan.run.nodePath, cliPath: plan.run.cliPath } : prev?.cliPath ? { nodePath: prev.nodePath ?? '', cliPath: prev.cliPath } : {}),
    parts: union(prev?.parts ?? [], plan.parts),
    installedAt: prev?.installedAt ?? now,
    updatedAt: now,
    files: { ...(prev?.files ?? {}) },
    createdDirs: [...(prev?.createdDirs ?? [])],
    ...(prev?.launcher ? { launcher: prev.launcher } : {}),
  };
  // A launcher that is already in place (the plan skipped it) still belongs to this install.
  if (plan.launcher && plan.changes.some((c) => c.path === plan.launcher && c.after !== null && isOurLauncher(c.after))) record.launcher = plan.launcher;
  for (const a of outcome.applied) {
    if (a.action === 'skip') continue;
    const old = record.files[a.path];
    const afterSha = a.after === null ? null : sha256(a.after);
    let fr: FileRecord;
    if (old && a.before !== null && old.afterSha256 !== null && sha256(a.before) === old.afterSha256) {
      // Only our own last write stood in between: the pre-install original still applies.
      fr = { ...old, afterSha256: afterSha, createdKeys: union(old.createdKeys, a.created) };
    } else if (old) {
      // Somebody changed the file since our last write: its original is no longer a safe restore point.
      fr = { created: old.created, afterSha256: afterSha, createdKeys: union(old.createdKeys, a.created) };
    } else {
      fr = {
        created: a.before === null,
        ...(a.backup && a.before !== null ? { originalBackup: a.backup, originalSha256: sha256(a.before) } : {}),
        afterSha256: afterSha,
        createdKeys: a.created,
      };
    }
    if (a.path === loc.skillFile && plan.templateSha256) fr.templateSha256 = plan.templateSha256;
    if (a.path === plan.launcher) record.launcher = a.path;
    record.files[a.path] = fr;
    record.createdDirs = union(record.createdDirs, a.createdDirs);
  }
  manifest.installs[loc.key] = record;
  writeManifest(loc.intercomHome, manifest);

  return {
    plan,
    applied: outcome.applied,
    ...(outcome.applied.some((a) => a.backup) ? { backupDir } : {}),
    removedDirs: [],
    manifestPath: manifestPath(loc.intercomHome),
    ...(outcome.error ? { error: outcome.error as IntercomError } : {}),
  };
}

// ---- uninstall -----------------------------------------------------------------------------------

/**
 * Take our entries out of one JSON file. When nothing but us changed it since install, give back
 * the exact bytes from before (or delete the file install created).
 */
function undoTransform(loc: Locations, path: string, targets: readonly JsonTarget[], fr: FileRecord | undefined, rec: Recognizer): FileTransform {
  const original = readOriginal(fr);
  return {
    path,
    kind: 'json',
    parts: [...new Set(targets.map((t) => t.part))],
    newFileMode: newFileMode(loc, path),
    compute(current): TransformResult {
      const out: TransformResult = { after: current, summary: [], warnings: [], created: [] };
      if (current === null) return out;
      const doc = new JsonDoc(path, current);
      const created: CreatedKeys | undefined = fr?.createdKeys;
      for (const t of targets) {
        const e = t.uninstall(doc, rec, created, loc);
        out.summary.push(...e.summary);
        out.warnings.push(...e.warnings);
      }
      if (out.summary.length === 0) return out;
      out.after = doc.text();
      if (fr && fr.afterSha256 !== null && sha256(current) === fr.afterSha256) {
        // Nothing but us changed it since install: give back the exact bytes from before.
        if (fr.created) {
          out.after = null;
          out.summary.push('delete the file (install created it)');
        } else if (original !== undefined) {
          out.after = original;
          out.summary.push('restore the exact bytes from before install');
        }
      } else if (fr?.created && doc.isEmptyObject()) {
        out.after = null;
        out.summary.push('delete the file (install created it; it is empty now)');
      }
      return out;
    },
  };
}

/**
 * Where the `claude-intercom` launcher goes, if anywhere: the person's own bin folder on PATH,
 * unless another `claude-intercom` (a global npm install) already answers to the name.
 */
function planLauncher(ctx: Context, wanted: boolean, notes: string[]): string | undefined {
  if (!wanted) return undefined;
  const dir = launcherDir(ctx);
  const existing = commandOnPath(ctx);
  const path = dir ? join(dir, LAUNCHER_NAME) : undefined;
  if (existing && existing !== path) {
    const text = (() => {
      try {
        return readFileSync(existing, 'utf8');
      } catch {
        return '';
      }
    })();
    if (!isOurLauncher(text)) {
      notes.push(`\`claude-intercom\` is already on your PATH (${existing}); no launcher added.`);
      return undefined;
    }
  }
  if (!path) {
    notes.push(`No ~/.local/bin or ~/bin on your PATH, so no \`claude-intercom\` command is added (put one of them on PATH and run install again to get it).`);
    return undefined;
  }
  return path;
}

/** What a project-scope install should tell people: where things go, and git-ignoring the local file. */
function projectScopeNotes(loc: Locations): string[] {
  if (loc.scope !== 'project' || !loc.projectDir) return [];
  const notes = [
    `Project scope keeps per-user paths out of the files you commit: the MCP server goes in your ${loc.claudeJson} (local scope for ${loc.projectDir}), the hooks and the tool permission in .claude/settings.local.json. Teammates without intercom see none of it.`,
  ];
  const ignored = spawnSync('git', ['check-ignore', '-q', loc.settingsFile], { cwd: loc.projectDir, stdio: 'ignore' });
  if (ignored.status === 1) notes.push(`${loc.settingsFile} is not git-ignored: add \`.claude/settings.local.json\` to .gitignore so it is never committed.`);
  return notes;
}

function readOriginal(fr: FileRecord | undefined): string | undefined {
  if (!fr?.originalBackup || !fr.originalSha256) return undefined;
  try {
    const text = readFileSync(fr.originalBackup, 'utf8');
    return sha256(text) === fr.originalSha256 ? text : undefined;
  } catch {
    return undefined;
  }
}

export async function prepareUninstall(ctx: Context, choice: { scope: Scope }, deps: InstallDeps = {}): Promise<PreparedPlan> {
  const loc = resolveLocations(ctx, choice.scope);
  const manifest = readManifest(loc.intercomHome);
  const record = manifest.installs[loc.key];
  const rec = new Recognizer(knownAppPaths(manifest, loc.intercomHome));
  const parts: Part[] = [...ALL_PARTS];

  const transforms: FileTransform[] = [];
  for (const [path, targets] of filesOf(loc, choice.scope, parts)) transforms.push(undoTransform(loc, path, targets, record?.files[path], rec));

  // The skill: ours if it is the template we installed (or the current one); kept if edited.
  const root = (() => {
    try {
      return deps.packageRoot ?? findPackageRoot();
    } catch {
      return undefined;
    }
  })();
  const templatePath = root ? join(root, SKILL_TEMPLATE) : undefined;
  const currentTemplateSha = templatePath && existsSync(templatePath) ? sha256(readFileSync(templatePath, 'utf8')) : undefined;
  const installedSha = record?.files[loc.skillFile]?.templateSha256;
  transforms.push({
    path: loc.skillFile,
    kind: 'text',
    parts: ['skill'],
    newFileMode: 0o644,
    compute(current): TransformResult {
      if (current === null) return { after: null, summary: [], warnings: [], created: [] };
      const sha = sha256(current);
      if (sha === installedSha || sha === currentTemplateSha) return { after: null, summary: ['delete the intercom skill'], warnings: [], created: [] };
      return { after: current, summary: [], warnings: [`${loc.skillFile} was edited since install (or is not ours); kept. Delete it yourself if you do not want it.`], created: [] };
    },
  });

  // The launcher goes with the last install that uses it.
  if (record?.launcher && !Object.entries(manifest.installs).some(([k, r]) => k !== loc.key && r.launcher === record.launcher)) {
    transforms.push(launcherRemoval(record.launcher, record.files[record.launcher]?.afterSha256));
  }

  const { states, problems } = readStates(transforms.map((t) => t.path));
  if (problems.length) throw new PlanRefusedError(problems);
  const plan = planChanges(transforms, states);
  if (plan.problems.length) throw new PlanRefusedError(plan.problems);

  // The program copy goes when no other install uses it any more.
  const appDirsToRemove: string[] = [];
  if (record?.appDir && existsSync(record.appDir)) {
    const othersUse = Object.entries(manifest.installs).some(([k, r]) => k !== loc.key && r.appDir === record.appDir);
    if (!othersUse) appDirsToRemove.push(record.appDir);
  }
  const notes: string[] = [];
  if (!record) notes.push('No install record for this scope: entries are recognised by their claude-intercom command.');
  const prepared: PreparedPlan = { command: 'uninstall', peopleCommand: LAUNCHER_NAME, loc, parts, changes: plan.changes, manifest, notes, appDirsToRemove };
  // Nothing here: say where the install record knows of one, and the command that removes it.
  if (!planHasWork(prepared)) {
    const self = selfCommand(ctx, runningCli(deps));
    notes.push(...otherInstalls(manifest, loc, resolveProject(ctx.cwd).root).map((r) => `Installed in ${r.where}: ${withSelfCommand(r.command, self)}`));
  }
  return prepared;
}

/** The cli.js this process runs from, if it can be found (to spell commands that work from here). */
function runningCli(deps: InstallDeps): string | undefined {
  try {
    return join(deps.packageRoot ?? findPackageRoot(), 'dist', 'cli.js');
  } catch {
    return undefined;
  }
}

/** The installs the record knows of besides `loc`'s, each with the command that removes it. */
export function otherInstalls(manifest: Manifest, loc: Locations, currentProject: string): Array<{ where: string; command: string }> {
  return Object.entries(manifest.installs)
    .filter(([key]) => key !== loc.key)
    .map(([, r]) => {
      if (r.scope === 'user') return { where: `the user scope (${r.configDir})`, command: 'claude-intercom uninstall --scope user' };
      const dir = r.projectDir ?? '?';
      const here = dir === currentProject;
      return {
        where: `the project scope of ${dir}`,
        command: `${here ? '' : `cd ${JSON.stringify(dir)} && `}claude-intercom uninstall --scope project`,
      };
    });
}

/** What stays in the intercom home after an uninstall (messages, backups, logs), for people. */
function leftBehind(home: string): string[] {
  try {
    return readdirSync(home).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

export async function executeUninstall(ctx: Context, plan: PreparedPlan, deps: InstallDeps = {}): Promise<ExecuteResult> {
  const { loc } = plan;
  const backupDir = backupDirFor(ctx, loc.intercomHome);
  const outcome = await applyChanges(plan.changes, { backupDir, ...(deps.seams ? { seams: deps.seams } : {}) });
  const manifest = readManifest(loc.intercomHome);
  const record = manifest.installs[loc.key];
  const removedDirs: string[] = [];
  if (!outcome.error) {
    // Folders install created (and the skill's own folder), if they are empty now.
    const skillDir = dirname(loc.skillFile);
    removedDirs.push(...removeEmptyDirs([...(record?.createdDirs ?? []), ...(existsSync(loc.skillFile) ? [] : [skillDir])]));
    for (const dir of plan.appDirsToRemove) {
      rmSync(dir, { recursive: true, force: true });
      removedDirs.push(dir, ...removeEmptyDirs([dirname(dir)]));
    }
    delete manifest.installs[loc.key];
    if (Object.keys(manifest.installs).length === 0) {
      try {
        unlinkSync(manifestPath(loc.intercomHome));
      } catch {
        /* none */
      }
    } else {
      writeManifest(loc.intercomHome, manifest);
    }
  }
  return {
    plan,
    applied: outcome.applied,
    ...(outcome.applied.some((a) => a.backup) ? { backupDir } : {}),
    removedDirs,
    manifestPath: manifestPath(loc.intercomHome),
    leftInHome: leftBehind(loc.intercomHome),
    ...(outcome.error ? { error: outcome.error as IntercomError } : {}),
  };
}
