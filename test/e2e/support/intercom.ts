/**
 * Talking to claude-intercom from the tests: its CLI (the built dist/cli.js) with the sandbox's
 * store, and parsers for what its tools and deliveries look like to the model.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CLAUDE_BIN, CLI_JS } from './claude.js';
import type { ClaudeSession, Sandbox } from './claude.js';

const run = promisify(execFile);

export interface SessionJson {
  code: string;
  pid: number;
  cwd: string;
  project: string;
  [key: string]: unknown;
}

export function assertBuilt(): void {
  if (!existsSync(CLI_JS)) throw new Error(`${CLI_JS} is missing: run \`npm run build\` first`);
}

/** `claude-intercom ARGS` as a person at a terminal in the sandbox's project. */
export async function cli(sbx: Sandbox, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI_JS, ...args], {
    cwd: sbx.project,
    // The pinned Claude Code first on PATH: `install` writes what that version supports (mcp_tool hooks).
    env: { PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: sbx.home, CLAUDE_INTERCOM_HOME: sbx.intercomHome, USER: 'tester' },
  });
  return stdout;
}

/**
 * Install intercom into the sandbox with its own installer (`install --yes`, user scope: MCP server,
 * hooks, skill, the `mcp__intercom` permission rule, app copy under the store), then add any extra
 * `allow` rules a test needs (e.g. the built-in SendMessage for the comparison benchmark).
 *
 * The installer's rule is what lets the sessions below call intercom's tools at all: in auto mode
 * (Claude Code's default) an MCP tool call that no rule allows goes to a server-side safety check,
 * which cannot pass through the mock and stops the turn with a dialog. So these tests prove it works.
 */
export async function install(sbx: Sandbox, extraAllow: string[] = []): Promise<void> {
  await cli(sbx, ['install', '--yes', '--scope', 'user']);
  const path = join(sbx.home, '.claude', 'settings.json');
  const settings = JSON.parse(readFileSync(path, 'utf8')) as { permissions?: { allow?: string[] } };
  if (!settings.permissions?.allow?.includes('mcp__intercom')) throw new Error(`install did not allow mcp__intercom in ${path}`);
  const extra = extraAllow.filter((rule) => !settings.permissions!.allow!.includes(rule));
  if (extra.length === 0) return;
  settings.permissions = { ...settings.permissions, allow: [...settings.permissions.allow!, ...extra] };
  writeFileSync(path, JSON.stringify(settings, null, 2) + '\n');
}

export async function whoAll(sbx: Sandbox): Promise<SessionJson[]> {
  return JSON.parse(await cli(sbx, ['who', '--all', '--json'])) as SessionJson[];
}

/**
 * The intercom code of a session, once its MCP server has registered it. Event-driven: every
 * change under the store wakes a fresh `who --json`; a 1 s timer covers a missed event.
 */
export async function sessionCode(session: ClaudeSession, timeoutMs = 30_000): Promise<string> {
  const sbx = session.sandbox;
  const find = async (): Promise<string | undefined> => (await whoAll(sbx)).find((s) => s.pid === session.pid)?.code;
  const first = await find();
  if (first) return first;
  return new Promise((resolve, reject) => {
    let busy = false;
    let again = false;
    let settled = false;
    const check = async (): Promise<void> => {
      if (settled) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const code = await find();
        if (code && !settled) {
          settled = true;
          stop();
          resolve(code);
        }
      } catch {
        // the store is being written; the next event retries
      } finally {
        busy = false;
        if (again) {
          again = false;
          void check();
        }
      }
    };
    const watcher = watch(sbx.intercomHome, { recursive: true }, () => void check());
    const tick = setInterval(() => void check(), 1_000);
    const timer = setTimeout(() => {
      settled = true;
      stop();
      reject(new Error(`session ${session.name} (pid ${session.pid}) did not register with intercom in ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = (): void => {
      watcher.close();
      clearInterval(tick);
      clearTimeout(timer);
    };
  });
}

/** The message id in a `send`/`reply` tool result ("Sent message <id> to ..."). */
export function sentMessageId(toolResultText: string): string | undefined {
  return /\bSent (?:message |reply )?([0-9a-z]{17})\b/.exec(toolResultText)?.[1] ?? /\b([0-9a-z]{17})\b/.exec(toolResultText)?.[1];
}

/** Codes listed by the `who` tool (lines starting with a 4-character code). */
export function whoCodes(toolResultText: string): string[] {
  return [...toolResultText.matchAll(/^([a-z0-9]{4})\b/gm)].map((m) => m[1]!);
}

export interface FramedMessage {
  id: string;
  from: string;
  replyTo: string | undefined;
  text: string;
}

/** Every `<intercom-message ...>` block in a text, as the model sees it. */
export function framedMessages(text: string): FramedMessage[] {
  const out: FramedMessage[] = [];
  for (const m of text.matchAll(/<intercom-message ([^>]*)>\n?([\s\S]*?)\n?<\/intercom-message>/g)) {
    const attrs = m[1]!;
    const attr = (name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
    out.push({ id: attr('id') ?? '', from: attr('from') ?? '', replyTo: attr('reply_to'), text: m[2]! });
  }
  return out;
}
