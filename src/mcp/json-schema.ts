import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/**
 * The MCP SDK validates JSON Schema with ajv, which it would construct by default and which costs
 * ~30-60 ms of every `serve` start (and Claude Code waits for MCP servers before `claude -p` runs).
 * intercom uses no elicitation and no output schemas, the only things it validates, so the bundle
 * leaves ajv out (see tsup.config.ts) and gives the SDK this instead: any use fails loudly rather
 * than passing unchecked.
 */
export const noJsonSchemaValidation: jsonSchemaValidator = {
  getValidator() {
    throw new Error('JSON Schema validation is not bundled in claude-intercom (no elicitation or output schemas are used).');
  },
};
