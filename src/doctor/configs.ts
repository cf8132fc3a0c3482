/** Reading the config files Claude Code reads, and finding our entries in them. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MCP_SERVER_NAME } from '../claude/hook-spec.js';
import { ConfigFileError } from '../install/errors.js';
import { checkStrict, isPlainObject } from '../install/jsonc-edit.js';
import { knownAppPaths, readManifest } from '../install/manifest.js';
import type { Locations } from '../install/paths.js';
import { readText } from '../install/plan.js';
import { findOurHooks, Recognizer, type FoundHook } from '../install/targets.js';
import type { ConfigFile, DoctorEnv } from './types.js';

export function loadConfig(path: string, role: string): ConfigFile {
  let text: string | null;
  try {
    text = readText(path);
  } catch (err) {
    if (err instanceof ConfigFileError) return { path, role, text: null, issue: err };
    return { path, role, text: null };
  }
  if (text === null) return { path, role, text };
  try {
    checkStrict(path, text);
  } catch (err) {
    if (err instanceof ConfigFileError) return { path, role, text, issue: err };
    throw err;
  }
  const body = text.replace(/^\uFEFF/, '');
  return { path, role, text, value: body.trim() === '' ? {} : (JSON.parse(body) as Record<string, unknown>) };
}

export function loadConfigs(user: Locations, project: Locations, homeDir: string): DoctorEnv['files'] {
  return {
    claudeJson: loadConfig(user.claudeJson, 'Claude Code state (.claude.json)'),
    userSettings: loadConfig(user.settingsFile, 'user settings'),
    homeMcpJson: loadConfig(join(homeDir, '.mcp.json'), '~/.mcp.json'),
    projectMcpJson: loadConfig(project.shared?.mcpJson ?? join(project.projectDir ?? '', '.mcp.json'), 'project .mcp.json'),
    projectSettings: loadConfig(project.shared?.settings ?? join(project.projectDir ?? '', '.claude', 'settings.json'), 'project settings'),
    projectLocalSettings: loadConfig(project.settingsFile, 'project local settings'),
  };
}

export function recognizer(home: string): Recognizer {
  try {
    return new Recognizer(knownAppPaths(readManifest(home), home));
  } catch {
    return new Recognizer(knownAppPaths({ schema: 1, installs: {} }, home));
  }
}

/** Split a `/bin/sh -c` command line into words (quotes and backslashes as sh reads them). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      cur += command.slice(i + 1, end === -1 ? undefined : end);
      i = end === -1 ? command.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) i++;
        cur += command[i];
        i++;
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      cur += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

export interface ScopeInstall {
  scope: 'user' | 'project';
  mcp?: { file: string; entry: Record<string, unknown> };
  hooks: Array<FoundHook & { file: string }>;
  skill?: string;
  /** Project scope: committed files that hold entries of ours (an older install put them there). */
  inSharedFiles: string[];
}

/** The local-scope servers of one project in ~/.claude.json (`projects["<root>"].mcpServers`). */
export function localServers(claudeJson: ConfigFile, projectDir: string | undefined): unknown {
  const projects = claudeJson.value?.projects;
  if (!projectDir || !isPlainObject(projects)) return undefined;
  const p = projects[projectDir];
  return isPlainObject(p) ? p.mcpServers : undefined;
}

function mcpEntryIn(file: ConfigFile, servers: unknown = file.value?.mcpServers): ScopeInstall['mcp'] {
  if (!isPlainObject(servers)) return undefined;
  const entry = servers[MCP_SERVER_NAME];
  return isPlainObject(entry) ? { file: file.path, entry } : undefined;
}

function hooksIn(file: ConfigFile, rec: Recognizer): Array<FoundHook & { file: string }> {
  return findOurHooks(file.value?.hooks, rec).map((h) => ({ ...h, file: file.path }));
}

/** Our entries per scope (an `intercom` MCP entry counts whatever it runs). */
export function findInstalls(env: DoctorEnv): ScopeInstall[] {
  const rec = recognizer(env.user.intercomHome);
  const f = env.files;
  const user: ScopeInstall = {
    scope: 'user',
    ...(mcpEntryIn(f.claudeJson) ? { mcp: mcpEntryIn(f.claudeJson)! } : {}),
    hooks: hooksIn(f.userSettings, rec),
    ...(existsSync(env.user.skillFile) ? { skill: env.user.skillFile } : {}),
    inSharedFiles: [],
  };
  const localSet = localServers(f.claudeJson, env.project.projectDir);
  const local = localSet === undefined ? undefined : mcpEntryIn(f.claudeJson, localSet);
  const committed = mcpEntryIn(f.projectMcpJson);
  const committedHooks = hooksIn(f.projectSettings, rec);
  const project: ScopeInstall = {
    scope: 'project',
    ...(local ?? committed ? { mcp: (local ?? committed)! } : {}),
    hooks: [...hooksIn(f.projectLocalSettings, rec), ...committedHooks],
    ...(existsSync(env.project.skillFile) ? { skill: env.project.skillFile } : {}),
    inSharedFiles: [
      ...(committed && rec.isOurMcpEntry(committed.entry) ? [f.projectMcpJson.path] : []),
      ...(committedHooks.length ? [f.projectSettings.path] : []),
    ],
  };
  // The user scope's skill folder can be the project's (a project in ~): count that skill once.
  if (project.skill && project.skill === user.skill) delete project.skill;
  return [user, project].filter((s) => s.mcp || s.hooks.length > 0 || s.skill);
}

/** The hook kind (`hook` or `watch`) a command runs: its last word. */
export function commandKind(command: string): string | undefined {
  return shellWords(command).at(-1);
}

export function allConfigFiles(env: DoctorEnv): ConfigFile[] {
  return Object.values(env.files);
}
