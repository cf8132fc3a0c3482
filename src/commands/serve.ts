import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Context } from '../core/context.js';
import { IntercomError, InvalidInputError, UnsafeStateError, describeError } from '../core/errors.js';
import { displayText } from '../core/framing.js';
import { Intercom } from '../core/intercom.js';
import { resolveProject } from '../core/project.js';
import { processStart } from '../os/proc.js';
import { createServer } from '../mcp/server.js';
import { intercomHome, openLocalStore, openStore } from '../store/index.js';
import { startRelay } from '../store/redis/serve-relay.js';

/**
 * `claude-intercom serve`: the stdio MCP server of one Claude Code session. The session is the
 * process that started us (Claude Code spawns MCP servers as direct children); its code is made
 * once here and kept for the session's life. Stdout belongs to the protocol: logs go to stderr.
 */
export async function run(ctx: Context): Promise<number> {
  // A person who runs `serve` in a terminal would otherwise register a session that nobody reads
  // (and that then receives `send all`): explain instead, and register nothing.
  if ((ctx.stdin as NodeJS.ReadStream).isTTY) {
    throw new InvalidInputError(
      '`serve` is the MCP server that Claude Code starts for each session (it speaks MCP on stdin and stdout); it is not run by hand.',
      'To see the sessions: claude-intercom who. To check the set-up: claude-intercom doctor.',
    );
  }
  let store: ReturnType<typeof openStore>;
  try {
    store = openStore(ctx);
  } catch (err) {
    // A broken team engine set-up must not take this machine's sessions down with it.
    if (!(err instanceof IntercomError) || (err instanceof UnsafeStateError && !/backend\.url/.test(err.message))) throw err;
    ctx.stderr.write(`claude-intercom: team engine not used: ${describeError(err)}\n`);
    store = openLocalStore(intercomHome(ctx));
  }
  const claudePid = ctx.ppid;
  const pidStart = processStart(claudePid);
  if (pidStart === undefined) {
    throw new IntercomError(`The process that started this server (pid ${claudePid}) is gone.`, 'Claude Code starts `serve` itself; there is no need to run it by hand.');
  }
  const cwd = ctx.env.CLAUDE_PROJECT_DIR || ctx.cwd;
  const project = resolveProject(cwd);
  const now = ctx.now();
  let presence = await store.register({
    pid: claudePid,
    pidStart,
    serverPid: ctx.pid,
    projectRoot: project.root,
    projectName: project.name,
    ...(project.id ? { projectId: project.id } : {}),
    cwd,
    startedAt: now,
    ...(ctx.env.CLAUDE_CODE_SESSION_ID ? { claudeSessionId: ctx.env.CLAUDE_CODE_SESSION_ID } : {}),
  });
  const intercom = new Intercom(store, ctx.now);
  const me = async (): Promise<typeof presence> => {
    // If something pruned or replaced our record (it should not), put it back under the same code.
    const live = await store.session(presence.code);
    if (live) return live;
    const { code, lastActiveAt: _ignored, ...input } = presence;
    presence = await store.register(input, code);
    return presence;
  };
  const { server, cleanup } = createServer(intercom, me, presence, ctx.now);
  // With a team engine: publish this session and bring what other machines send it home.
  const relay = startRelay(store, presence, (line) => ctx.stderr.write(`claude-intercom: ${line}\n`));

  const done = new Promise<number>((resolve) => {
    let closing = false;
    const shutdown = (): void => {
      if (closing) return;
      closing = true;
      void Promise.all([Promise.resolve(store.unregister(presence.code, ctx.pid)), relay?.stop()])
        .catch(() => undefined)
        .finally(() => {
          cleanup();
          resolve(0);
        });
    };
    // Claude Code sends SIGINT at the end of a session; a closed stdin means our client is gone.
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    process.once('SIGHUP', shutdown);
    ctx.stdin.once('end', shutdown);
    ctx.stdin.once('close', shutdown);
  });

  await server.connect(new StdioServerTransport());
  ctx.stderr.write(`claude-intercom: session ${presence.code} (project ${displayText(presence.projectName)}) is on the intercom\n`);
  return done;
}
