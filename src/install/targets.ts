/**
 * What goes where, as data: for each scope, which file holds which of our entries, how the entry
 * is built (from hook-spec), how our old entries are recognised, and how each is removed again.
 */
import type { JSONPath } from 'jsonc-parser';
import { COMMAND_MARKER, MCP_SERVER_NAME, hooksSettings, mcpServerEntry } from '../claude/hook-spec.js';
import { ConfigFileError } from './errors.js';
import { claudeCodeConsequence, isPlainObject, jsonEqual, type JsonDoc } from './jsonc-edit.js';
import type { Locations, Part, Scope } from './paths.js';

/** The command our entries run: absolute Node.js on the installed copy's cli.js. */
export interface CommandSpec {
  nodePath: string;
  cliPath: string;
}

/**
 * Tells our entries (this install's, older installs', the prototype's) from everybody else's:
 * anything that runs a file under one of `knownPaths` (our installed copies, e.g.
 * `<intercom home>/app/`), or a `claude-intercom ... hook|watch` command line.
 */
export class Recognizer {
  constructor(private readonly knownPaths: readonly string[] = []) {}

  isOurCommand(command: string): boolean {
    if (this.knownPaths.some((p) => p !== '' && command.includes(p))) return true;
    return command.includes(COMMAND_MARKER) && /(^|[\s'"])(hook|watch)(['"]?)(\s|$)/.test(command);
  }

  isOurMcpEntry(entry: unknown): boolean {
    if (!isPlainObject(entry)) return false;
    const parts = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].filter((x): x is string => typeof x === 'string');
    const line = parts.join(' ');
    return this.knownPaths.some((p) => p !== '' && line.includes(p)) || line.includes(COMMAND_MARKER);
  }
}

/** Keys (or, for arrays of names, `[key, item]`) that an install created, so uninstall may remove them. */
export type CreatedKeys = JSONPath[];

export function hasKey(keys: CreatedKeys | undefined, path: JSONPath): boolean {
  return !!keys?.some((k) => JSON.stringify(k) === JSON.stringify(path));
}

export interface InstallEdit {
  /** What was done, for people ("add mcpServers.intercom"). Empty: nothing to do. */
  summary: string[];
  created: CreatedKeys;
  warnings: string[];
}

export interface UninstallEdit {
  summary: string[];
  warnings: string[];
}

/** One kind of entry in one JSON file. */
export interface JsonTarget {
  id: 'mcp-server' | 'mcp-approval' | 'hooks' | 'tools-allowed';
  part: Part;
  file(loc: Locations): string;
  install(doc: JsonDoc, cmd: CommandSpec, rec: Recognizer, loc: Locations): InstallEdit;
  /** `created` is what the manifest says install created in this file (undefined: no record). */
  uninstall(doc: JsonDoc, rec: Recognizer, created: CreatedKeys | undefined, loc: Locations): UninstallEdit;
  /**
   * An older install's entries in a file we no longer write (the project's committed files): install
   * takes ours out of it as uninstall would, and adds nothing.
   */
  removeOnly?: true;
}

function wrongType(doc: JsonDoc, path: JSONPath, expected: string): ConfigFileError {
  const node = doc.node(path);
  const body = doc.text().replace(/^\uFEFF/, '');
  let line = 1;
  let column = 1;
  if (node) {
    const before = body.slice(0, node.offset);
    line = before.split('\n').length;
    column = node.offset - (before.lastIndexOf('\n') + 1) + 1;
  }
  const key = path.join('.');
  return new ConfigFileError(
    doc.file,
    'wrong-type',
    line,
    column,
    `"${key}" should be ${expected}`,
    claudeCodeConsequence(doc.file).startsWith('Claude Code ignores')
      ? 'Claude Code cannot use it either.'
      : 'Claude Code cannot use it as it is.',
    `Fix "${key}" in ${doc.file} (it should be ${expected}), then run the command again.`,
  );
}

// ---- the MCP server entry ----------------------------------------------------------------------

function installServer(doc: JsonDoc, cmd: CommandSpec, rec: Recognizer, loc: Locations): InstallEdit {
  const out: InstallEdit = { summary: [], created: [], warnings: [] };
  const entry = mcpServerEntry(cmd.nodePath, cmd.cliPath);
  const base = loc.mcpServersPath;
  const label = serversLabel(base);
  // The first missing level is created with everything below it, and recorded for uninstall.
  for (let depth = 1; depth <= base.length; depth++) {
    const path = base.slice(0, depth);
    const value = doc.get(path);
    if (value === undefined) {
      doc.set(path, base.slice(depth).reduceRight<unknown>((inner, key) => ({ [key]: inner }), { [MCP_SERVER_NAME]: entry }));
      out.created.push(path);
      out.summary.push(`add ${label}.${MCP_SERVER_NAME}`);
      return out;
    }
    if (!isPlainObject(value)) throw wrongType(doc, path, 'an object');
  }
  const servers = doc.get(base) as Record<string, unknown>;
  const current = servers[MCP_SERVER_NAME];
  if (current !== undefined && jsonEqual(current, entry)) return out;
  if (current === undefined) {
    out.summary.push(`add ${label}.${MCP_SERVER_NAME}`);
  } else if (rec.isOurMcpEntry(current)) {
    out.summary.push(`replace the older ${label}.${MCP_SERVER_NAME} (it ran ${describeEntry(current)})`);
  } else {
    out.summary.push(`replace ${label}.${MCP_SERVER_NAME}`);
    out.warnings.push(`${doc.file} already had an MCP server named "${MCP_SERVER_NAME}" that is not claude-intercom (${describeEntry(current)}); it is replaced (a backup is kept).`);
  }
  doc.set([...base, MCP_SERVER_NAME], entry);
  return out;
}

/** `mcpServers`, or `projects["/repo"].mcpServers` for a local-scope entry. */
function serversLabel(base: readonly string[]): string {
  return base.length === 1 ? base[0]! : `${base[0]}[${JSON.stringify(base[1])}].${base.slice(2).join('.')}`;
}

function describeEntry(entry: unknown): string {
  if (!isPlainObject(entry)) return JSON.stringify(entry);
  const args = Array.isArray(entry.args) ? entry.args.join(' ') : '';
  return `${String(entry.command ?? entry.url ?? '?')}${args ? ` ${args}` : ''}`;
}

function uninstallServerAt(base: readonly string[]) {
  return (doc: JsonDoc, rec: Recognizer, created: CreatedKeys | undefined): UninstallEdit => {
    const out: UninstallEdit = { summary: [], warnings: [] };
    const label = serversLabel(base);
    const serverPath = [...base, MCP_SERVER_NAME];
    const current = doc.get(serverPath);
    if (current === undefined) return out;
    if (!rec.isOurMcpEntry(current)) {
      out.warnings.push(`${doc.file}: ${label}.${MCP_SERVER_NAME} runs ${describeEntry(current)}, which is not claude-intercom; left as is.`);
      return out;
    }
    doc.remove(serverPath);
    out.summary.push(`remove ${label}.${MCP_SERVER_NAME}`);
    // Then the levels install created, innermost first, while they are empty.
    // (A level counts as created when it or a level above it was: created with everything below.)
    const createdLevel = (depth: number) => base.slice(0, depth).some((_, i) => hasKey(created, base.slice(0, i + 1)));
    for (let depth = base.length; depth >= 1; depth--) {
      const path = base.slice(0, depth);
      const value = doc.get(path);
      if (!isPlainObject(value) || Object.keys(value).length > 0 || !createdLevel(depth)) break;
      doc.remove(path);
      out.summary.push(`remove the ${serversLabel(path)} key it had created`);
    }
    return out;
  };
}

function uninstallServer(doc: JsonDoc, rec: Recognizer, created: CreatedKeys | undefined, loc: Locations): UninstallEdit {
  return uninstallServerAt(loc.mcpServersPath)(doc, rec, created);
}

// ---- names in a list: the project server's approval, the tools' permission rule -----------------

/**
 * Our one item in a list of names (created with its parents when missing). What install created
 * is recorded, so uninstall removes the item, and the list or object only if install made them.
 */
function listMember(listPath: string[], item: string, why: string): Pick<JsonTarget, 'install' | 'uninstall'> {
  const label = listPath.join('.');
  const install = (doc: JsonDoc): InstallEdit => {
    const out: InstallEdit = { summary: [], created: [], warnings: [] };
    // Create the first missing level with everything below it in one edit.
    for (let depth = 1; depth <= listPath.length; depth++) {
      const path = listPath.slice(0, depth);
      const value = doc.get(path);
      if (value === undefined) {
        const rest = listPath.slice(depth);
        doc.set(path, rest.reduceRight<unknown>((inner, key) => ({ [key]: inner }), [item]));
        out.created.push(path);
        out.summary.push(`add ${label}: ["${item}"] (${why})`);
        return out;
      }
      if (depth < listPath.length && !isPlainObject(value)) throw wrongType(doc, path, 'an object');
    }
    const list = doc.get(listPath);
    if (!Array.isArray(list)) throw wrongType(doc, listPath, 'an array of names');
    if (list.includes(item)) return out;
    doc.append(listPath, item);
    out.created.push([...listPath, item]);
    out.summary.push(`add "${item}" to ${label} (${why})`);
    return out;
  };
  const uninstall = (doc: JsonDoc, _rec: Recognizer, created: CreatedKeys | undefined): UninstallEdit => {
    const out: UninstallEdit = { summary: [], warnings: [] };
    const list = doc.get(listPath);
    if (!Array.isArray(list)) return out;
    // A level is ours if install created it or any level above it (created with everything below).
    const createdLevel = (depth: number) =>
      created === undefined || listPath.slice(0, depth).some((_, i) => hasKey(created, listPath.slice(0, i + 1)));
    const ours = created === undefined || hasKey(created, [...listPath, item]) || listPath.some((_, i) => hasKey(created, listPath.slice(0, i + 1)));
    if (!ours) return out;
    let removed = false;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === item) {
        doc.remove([...listPath, i]);
        removed = true;
      }
    }
    if (!removed) return out;
    out.summary.push(`remove "${item}" from ${label}`);
    // Then the containers install created, innermost first, while they are empty.
    for (let depth = listPath.length; depth >= 1; depth--) {
      const path = listPath.slice(0, depth);
      const value = doc.get(path);
      const empty = Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).length === 0;
      if (!empty || !createdLevel(depth)) break;
      doc.remove(path);
    }
    return out;
  };
  return { install, uninstall };
}

/** The tools' permission rule: a server-level rule covers every tool of `mcp__intercom`. */
export const ALLOW_RULE = `mcp__${MCP_SERVER_NAME}`;

// ---- hooks --------------------------------------------------------------------------------------

/** One of our handlers found in a settings file's `hooks`. */
export interface FoundHook {
  event: string;
  group: number;
  handler: number;
  matcher: string | undefined;
  value: Record<string, unknown>;
  /** How many handlers its group has in all. */
  groupSize: number;
}

/** Every handler of ours in a `hooks` object (any event, any group). */
export function findOurHooks(hooks: unknown, rec: Recognizer): FoundHook[] {
  const found: FoundHook[] = [];
  if (!isPlainObject(hooks)) return found;
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    groups.forEach((group: unknown, g) => {
      if (!isPlainObject(group) || !Array.isArray(group.hooks)) return;
      const size = group.hooks.length;
      group.hooks.forEach((handler: unknown, h) => {
        if (isPlainObject(handler) && typeof handler.command === 'string' && rec.isOurCommand(handler.command)) {
          found.push({ event, group: g, handler: h, matcher: typeof group.matcher === 'string' ? group.matcher : undefined, value: handler, groupSize: size });
        }
      });
    });
  }
  return found;
}

/** Remove these handlers; a group left empty goes too; an event array left empty goes if `mayRemoveEvent`. */
function removeHooks(doc: JsonDoc, doomed: FoundHook[], mayRemoveEvent: (event: string) => boolean): void {
  const byEvent = new Map<string, FoundHook[]>();
  for (const f of doomed) byEvent.set(f.event, [...(byEvent.get(f.event) ?? []), f]);
  for (const [event, list] of byEvent) {
    const groups = [...new Set(list.map((f) => f.group))].sort((a, b) => b - a);
    for (const g of groups) {
      const inGroup = list.filter((f) => f.group === g).sort((a, b) => b.handler - a.handler);
      if (inGroup.length === inGroup[0]!.groupSize) {
        doc.remove(['hooks', event, g]);
      } else {
        for (const f of inGroup) doc.remove(['hooks', event, g, 'hooks', f.handler]);
      }
    }
    const left = doc.get(['hooks', event]);
    if (Array.isArray(left) && left.length === 0 && mayRemoveEvent(event)) doc.remove(['hooks', event]);
  }
}

function normMatcher(m: string | undefined): string {
  return m ?? '';
}

function installHooks(doc: JsonDoc, cmd: CommandSpec, rec: Recognizer): InstallEdit {
  const out: InstallEdit = { summary: [], created: [], warnings: [] };
  const hooks = doc.get(['hooks']);
  if (hooks !== undefined && !isPlainObject(hooks)) throw wrongType(doc, ['hooks'], 'an object');
  const wanted = hooksSettings(cmd.nodePath, cmd.cliPath);
  for (const event of Object.keys(wanted)) {
    const v = isPlainObject(hooks) ? hooks[event] : undefined;
    if (v !== undefined && !Array.isArray(v)) throw wrongType(doc, ['hooks', event], 'an array of hook groups');
  }

  // Which of the wanted groups are already there, exactly? Everything else of ours goes.
  const ours = findOurHooks(hooks, rec);
  const kept = new Set<FoundHook>();
  const missing: Record<string, typeof wanted[string]> = {};
  for (const [event, groups] of Object.entries(wanted)) {
    for (const group of groups) {
      const handler = group.hooks[0];
      const hit = ours.find((f) => !kept.has(f) && f.event === event && normMatcher(f.matcher) === normMatcher(group.matcher) && jsonEqual(f.value, handler));
      if (hit) kept.add(hit);
      else (missing[event] ??= []).push(group);
    }
  }
  const doomed = ours.filter((f) => !kept.has(f));
  if (doomed.length > 0) {
    removeHooks(doc, doomed, (event) => !(event in missing));
    out.summary.push(`replace ${doomed.length} older intercom hook ${doomed.length === 1 ? 'entry' : 'entries'}`);
  }

  const events = Object.keys(missing);
  if (events.length === 0) return out;
  const count = Object.values(missing).reduce((n, g) => n + g.length, 0);
  if (!doc.has(['hooks'])) {
    doc.set(['hooks'], missing);
    out.created.push(['hooks'], ...events.map((e) => ['hooks', e]));
  } else {
    for (const [event, groups] of Object.entries(missing)) {
      if (!doc.has(['hooks', event])) {
        doc.set(['hooks', event], groups);
        out.created.push(['hooks', event]);
      } else {
        for (const group of groups) doc.append(['hooks', event], group);
      }
    }
  }
  out.summary.push(`add ${count} hook ${count === 1 ? 'entry' : 'entries'} (${events.join(', ')})`);
  return out;
}

function uninstallHooks(doc: JsonDoc, rec: Recognizer, created: CreatedKeys | undefined): UninstallEdit {
  const out: UninstallEdit = { summary: [], warnings: [] };
  const ours = findOurHooks(doc.get(['hooks']), rec);
  if (ours.length === 0) return out;
  removeHooks(doc, ours, (event) => created === undefined || hasKey(created, ['hooks', event]));
  out.summary.push(`remove ${ours.length} intercom hook ${ours.length === 1 ? 'entry' : 'entries'}`);
  const hooks = doc.get(['hooks']);
  if (isPlainObject(hooks) && Object.keys(hooks).length === 0 && (created === undefined || hasKey(created, ['hooks']))) {
    doc.remove(['hooks']);
  }
  return out;
}

// ---- the targets, per scope ------------------------------------------------------------------

const SERVER: JsonTarget = {
  id: 'mcp-server',
  part: 'mcp',
  file: (loc) => loc.mcpFile,
  install: installServer,
  uninstall: uninstallServer,
};

const approval = listMember(['enabledMcpjsonServers'], MCP_SERVER_NAME, "so Claude Code's approval dialog cannot silently disable the server");

const allowRule = listMember(['permissions', 'allow'], ALLOW_RULE, 'intercom tools run without a prompt, so a woken session can answer');
const ALLOW: JsonTarget = { id: 'tools-allowed', part: 'allow', file: (loc) => loc.settingsFile, ...allowRule };

const HOOKS: JsonTarget = {
  id: 'hooks',
  part: 'hooks',
  file: (loc) => loc.settingsFile,
  install: installHooks,
  uninstall: uninstallHooks,
};

/** An older install's entry in a committed file: taken out by install and by uninstall alike. */
function removeOnly(target: Pick<JsonTarget, 'id' | 'part' | 'file' | 'uninstall'>): JsonTarget {
  return {
    ...target,
    removeOnly: true,
    install: () => {
      throw new Error('internal: a remove-only target is applied with uninstall');
    },
  };
}

/**
 * A name in a committed list (the approval, the permission rule) is harmless to teammates and may
 * be theirs: taken out only when the install record says an install of ours put it there.
 */
function onlyWhatWeCreated(uninstall: JsonTarget['uninstall']): JsonTarget['uninstall'] {
  return (doc, rec, created, loc) => (created === undefined ? { summary: [], warnings: [] } : uninstall(doc, rec, created, loc));
}

const shared = (loc: Locations, which: 'mcpJson' | 'settings'): string => {
  if (!loc.shared) throw new Error('internal: shared project files outside project scope');
  return loc.shared[which];
};

/**
 * User scope: the server at the top level of ~/.claude.json (what `claude mcp add --scope user`
 * writes), hooks and the permission rule in ~/.claude/settings.json.
 *
 * Project scope: nothing in the files people commit. The server in local scope
 * (`projects["<git root>"].mcpServers` in ~/.claude.json), hooks and the permission rule in
 * `<git root>/.claude/settings.local.json`. Older installs put them in `.mcp.json` (with an approval
 * in `.claude/settings.json`) and `.claude/settings.json`: our entries there are taken out.
 */
export const JSON_TARGETS: Record<Scope, readonly JsonTarget[]> = {
  user: [SERVER, HOOKS, ALLOW],
  project: [
    SERVER,
    HOOKS,
    ALLOW,
    removeOnly({ id: 'mcp-server', part: 'mcp', file: (loc) => shared(loc, 'mcpJson'), uninstall: uninstallServerAt(['mcpServers']) }),
    removeOnly({ id: 'mcp-approval', part: 'mcp', file: (loc) => shared(loc, 'settings'), uninstall: onlyWhatWeCreated(approval.uninstall) }),
    removeOnly({ id: 'hooks', part: 'hooks', file: (loc) => shared(loc, 'settings'), uninstall: uninstallHooks }),
    removeOnly({ id: 'tools-allowed', part: 'allow', file: (loc) => shared(loc, 'settings'), uninstall: onlyWhatWeCreated(allowRule.uninstall) }),
  ],
};
