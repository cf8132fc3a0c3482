import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { displayText } from '../../core/framing.js';
import { RESERVE_DEFAULT_MINUTES, RESERVE_MAX_MINUTES } from '../../core/coordination.js';
import type { ToolContext } from '../context.js';
import { fail, ok } from '../render.js';

/** `reserve`, `release`, `status`: what this session tells the others about its work. */
export function registerCoordination(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'reserve',
    {
      title: 'Reserve files before a large change',
      description:
        'Tell other sessions you are about to change these files: paths or globs relative to your checkout ("docs/**", ' +
        '"src/store.ts"). Another session that edits a reserved file is stopped once and told it is yours, and `who` ' +
        `shows it. Reserve shared files before a large change; release them when done. Expires after \`minutes\` (default ${RESERVE_DEFAULT_MINUTES}).`,
      inputSchema: {
        paths: z.array(z.string()).describe('Paths or globs relative to your checkout; a folder path covers what is under it'),
        minutes: z.number().optional().describe(`How long, 1 to ${RESERVE_MAX_MINUTES} (default ${RESERVE_DEFAULT_MINUTES})`),
        reason: z.string().optional().describe('A few words: what you are doing with them'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ paths, minutes, reason }) => {
      try {
        const me = await ctx.me();
        const r = await ctx.coordination.reserve(me, paths, minutes, reason);
        return ok(`Reserved ${r.patterns.map(displayText).join(', ')} in ${displayText(r.worktree)} until ${new Date(r.expiresAt).toISOString().slice(11, 16)} UTC.`);
      } catch (err) {
        return fail(err);
      }
    },
  );

  server.registerTool(
    'release',
    {
      title: 'Release reserved files',
      description: 'Give back files you reserved with `reserve`: the paths as you reserved them, or nothing to release all of them.',
      inputSchema: { paths: z.array(z.string()).optional().describe('As reserved; omit to release everything') },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ paths }) => {
      try {
        const n = await ctx.coordination.release(await ctx.me(), paths);
        return ok(n === 0 ? 'Nothing of that was reserved by you.' : `Released ${n} reserved path(s).`);
      } catch (err) {
        return fail(err);
      }
    },
  );

  server.registerTool(
    'status',
    {
      title: 'Say what you are working on',
      description:
        'Set one short line saying what you are doing ("refactoring the store API"); other sessions see it in `who` and ' +
        'when they are about to edit a file you edited. Set it when you start a task and when it changes; "" clears it.',
      inputSchema: { text: z.string().describe('One short line, at most 200 characters; "" to clear') },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ text }) => {
      try {
        const set = await ctx.coordination.setStatus(await ctx.me(), text);
        return ok(set === undefined ? 'Status cleared.' : `Status set: "${displayText(set)}".`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}
