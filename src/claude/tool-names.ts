/**
 * The names the model knows intercom's tools by. Claude Code prefixes an MCP server's tools with
 * `mcp__<server>__`; a plugin's server gets `mcp__plugin_<plugin>_<server>__` instead. The plugin's
 * hook and server entries set CLAUDE_INTERCOM_PLUGIN=1, so every text that names a tool names the
 * one this session actually has.
 */
import { MCP_SERVER_NAME } from './hook-spec.js';

export const PLUGIN_NAME = 'intercom';
export const PLUGIN_ENV = 'CLAUDE_INTERCOM_PLUGIN';

export function toolPrefix(env: NodeJS.ProcessEnv): string {
  return env[PLUGIN_ENV] === '1' ? `mcp__plugin_${PLUGIN_NAME}_${MCP_SERVER_NAME}__` : `mcp__${MCP_SERVER_NAME}__`;
}
