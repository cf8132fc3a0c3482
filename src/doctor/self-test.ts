/**
 * The live self-test: the installed program end to end, against a throw-away store so it never
 * touches real sessions. `serve` is started through the MCP SDK's real client (as Claude Code
 * starts it: a child process on stdio), a `watch` hook command is run through /bin/sh exactly as
 * written in the config (with CLAUDE_PID = us, the "Claude Code" that owns the server), a message
 * is sent with the `send` command, and the watcher must exit 2 with it on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { hookCommand } from '../claude/hook-spec.js';
import { findPackageRoot } from '../install/copy-app.js';
import { coalesce } from '../core/coalesce.js';
import { openLocalStore } from '../store/index.js';
import { findInstalls, shellWords } from './configs.js';
import { failure, ok, warning, type CheckResult, type DoctorEnv } from './types.js';
import { noJsonSchemaValidation } from '../mcp/json-schema.js';

const TITLE = 'Live self-test (serve + watch + send)';

interface Program {
  node: string;
  cli: string;
  watchCommand: string;
  source: string;
}

/** What to test: the configured entries when they exist, else the running package. */
function pickProgram(env: DoctorEnv): Program | undefined {
  for (const s of findInstalls(env)) {
    const args = Array.isArray(s.mcp?.entry.args) ? s.mcp!.entry.args.map(String) : [];
    const node = typeof s.mcp?.entry.command === 'string' ? s.mcp.entry.command : undefined;
    const cli = args[0];
    if (!node || !cli || !existsSync(node) || !existsSync(cli)) continue;
    const watch = s.hooks.find((h) => shellWords(String(h.value.command)).at(-1) === 'watch');
    return { node, cli, watchCommand: watch ? String(watch.value.command) : hookCommand(node, cli, 'watch'), source: `the ${s.scope}-scope entries` };
  }
  try {
    const root = env.deps.packageRoot ?? findPackageRoot();
    const cli = join(root, 'dist', 'cli.js');
    if (!existsSync(cli)) return undefined;
    return { node: process.execPath, cli, watchCommand: hookCommand(process.execPath, cli, 'watch'), source: 'the running package (nothing installed)' };
  } catch {
    return undefined;
  }
}

/** The environment of a child: ours minus Claude Code's own variables, with a private store. */
function childEnv(base: NodeJS.ProcessEnv, home: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith('CLAUDE_CODE_') || k === 'CLAUDE_PID' || k === 'CLAUDECODE' || k === 'CLAUDE_PROJECT_DIR') continue;
    out[k] = v;
  }
  out.CLAUDE_INTERCOM_HOME = home;
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function checkSelfTest(env: DoctorEnv): Promise<CheckResult> {
  if (env.deps.selfTest === false) return ok('self-test', TITLE, 'Skipped.');
  const program = pickProgram(env);
  if (!program) return warning('self-test', TITLE, 'Nothing to test: no installed entries with existing files, and no built package.', 'Run: claude-intercom install');
  const limit = env.deps.selfTestTimeoutMs ?? 15_000;
  const home = mkdtempSync(join(tmpdir(), 'intercom-selftest-'));
  const cenv = childEnv(env.ctx.env, home);
  let client: Client | undefined;
  let watcher: ChildProcess | undefined;
  let serverErr = '';
  const step = { name: 'starting serve' };
  try {
    // 1. serve, through the SDK's client, as Claude Code runs it.
    const transport = new StdioClientTransport({ command: program.node, args: [program.cli, 'serve'], env: cenv, cwd: env.ctx.cwd, stderr: 'pipe' });
    transport.stderr?.on('data', (d: Buffer) => (serverErr += d.toString()));
    client = new Client({ name: 'claude-intercom-doctor', version: '1' }, { jsonSchemaValidator: noJsonSchemaValidation });
    const t0 = performance.now();
    await withTimeout(client.connect(transport), limit, 'the MCP server to initialize');
    const tools = (await withTimeout(client.listTools(), limit, 'tools/list')).tools.map((x) => x.name);
    const startMs = performance.now() - t0;
    for (const need of ['who', 'send', 'reply', 'peek', 'ack']) if (!tools.includes(need)) throw new Error(`the server lists no \`${need}\` tool (it has: ${tools.join(', ')})`);

    // The session the server registered for its parent: this process.
    step.name = 'finding the registered session';
    const store = openLocalStore(home);
    const me = await store.sessionByPid(process.pid);
    if (!me) throw new Error(`serve registered no session for its parent process ${process.pid}`);

    // 2. the idle watcher, run the way Claude Code runs a hook command.
    step.name = 'starting the watcher';
    watcher = spawn('/bin/sh', ['-c', program.watchCommand], { env: { ...cenv, CLAUDE_PID: String(process.pid) }, cwd: env.ctx.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let watchErr = '';
    watcher.stderr?.on('data', (d: Buffer) => (watchErr += d.toString()));
    const watcherExit = exited(watcher);
    watcher.stdin?.end(JSON.stringify({ session_id: 'doctor-self-test', transcript_path: '', cwd: env.ctx.cwd, hook_event_name: 'Stop', stop_hook_active: false }));
    await withTimeout(
      new Promise<void>((resolve) => {
        // The watcher rings the session's doorbell when it takes the lease.
        const look = coalesce(async () => {
          if (await store.watcherLease(me.code)) {
            stop();
            resolve();
          }
        });
        const stop = store.subscribe(me.code, look);
        look();
      }),
      limit,
      'the watcher to start watching',
    );

    // 3. a message, from a person on the command line.
    step.name = 'sending a message';
    const text = `doctor self-test ${Date.now().toString(36)}`;
    const sendStart = performance.now();
    const sent = await env.exec(program.node, [program.cli, 'send', me.code, text, '--json'], { env: cenv, cwd: env.ctx.cwd, timeoutMs: limit });
    if (sent.exitCode !== 0) throw new Error(`\`send\` failed (exit ${sent.exitCode}): ${sent.stderr.trim()}`);
    const message = JSON.parse(sent.stdout) as { id: string; sentAt: number };

    // 4. the watcher must wake the session: exit 2 with the message on stderr.
    step.name = 'waiting for the watcher to fire';
    const code = await withTimeout(watcherExit, limit, 'the watcher to fire');
    const wokeAt = Date.now();
    const totalMs = performance.now() - sendStart;
    if (code !== 2) throw new Error(`the watcher exited ${code}, not 2 (stderr: ${watchErr.trim().slice(0, 300) || 'empty'})`);
    if (!watchErr.includes(text)) throw new Error(`the watcher exited 2 without the message on stderr (got: ${watchErr.trim().slice(0, 300)})`);

    // 5. the tools see it: peek lists it until it is acknowledged.
    step.name = 'peek and ack through the MCP client';
    const peek = await withTimeout(client.callTool({ name: 'peek', arguments: {} }), limit, 'peek');
    if (!JSON.stringify(peek.content).includes(message.id)) throw new Error(`peek does not show message ${message.id}`);
    const ack = await withTimeout(client.callTool({ name: 'ack', arguments: { message_id: message.id } }), limit, 'ack');
    if (ack.isError) throw new Error(`ack failed: ${JSON.stringify(ack.content).slice(0, 300)}`);

    const latency = Math.max(0, wokeAt - message.sentAt);
    return ok(
      'self-test',
      TITLE,
      `Tested ${program.source}: serve answered in ${Math.round(startMs)} ms (${tools.length} tools); the watcher woke (exit 2) ${latency} ms after the message was stored (${Math.round(totalMs)} ms including starting \`send\`); peek and ack work.`,
    );
  } catch (err) {
    const why = (err as Error).message;
    return failure(
      'self-test',
      TITLE,
      `Failed while ${step.name}: ${why}${serverErr.trim() ? `\nserve said: ${serverErr.trim().slice(0, 500)}` : ''}`,
      `Run: claude-intercom install --yes  to refresh the installed copy; if it still fails, run the same with CLAUDE_INTERCOM_DEBUG=1: ${program.node} ${program.cli} doctor`,
    );
  } finally {
    if (watcher && watcher.exitCode === null) watcher.kill('SIGTERM');
    await client?.close().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}
