import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { displayText } from '../../core/framing.js';
import type { ToolContext } from '../context.js';
import { fail, ok } from '../render.js';
import { renderWho } from '../render-coordination.js';

export function registerWho(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'who',
    {
      title: 'List live sessions',
      description:
        'List the Claude Code sessions that are live right now: their 4-character codes, project, working folder, ' +
        'since when and when last active, which one is you, and per session its status, the files it edited recently ' +
        'and what it reserved. Use it before starting substantial work or editing ' +
        'shared files, to see who else is working in this project and what address to send to.',
      inputSchema: {
        scope: z
          .enum(['project', 'all'])
          .default('project')
          .describe('"project" (default): sessions in your project; "all": every project'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ scope }) => {
      try {
        const me = await ctx.me();
        const sessions = await ctx.coordination.view(scope, me.projectRoot, me.projectId);
        const others = sessions.filter((s) => s.session.code !== me.code).length;
        const head =
          scope === 'all'
            ? `You are ${me.code}. ${sessions.length} live session(s) in all projects:`
            : `You are ${me.code}. Live sessions in project ${displayText(me.projectName)} (${others} other than you):`;
        return ok(`${head}\n${renderWho(sessions, me.code, ctx.now())}`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}
