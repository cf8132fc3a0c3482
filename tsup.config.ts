import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const define = { __VERSION__: JSON.stringify(pkg.version) };

// Dependencies are bundled so that `install` can copy `dist/` somewhere stable and it runs on its
// own, outliving any package-runner cache. `npm run build` empties dist/ first (two builds share it).
export default defineConfig([
  {
    // The CLI, code-split: `dist/cli.js` is a small dispatcher and each command its own chunk,
    // so no command pays for yargs, clack or the MCP SDK unless it uses them.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    splitting: true,
    bundle: true,
    noExternal: [/.*/],
    clean: false,
    treeshake: true,
    // ajv is left out: see src/mcp/json-schema.ts (saves 30-60 ms of every `serve` start).
    esbuildOptions(options) {
      options.alias = { ajv: './src/mcp/ajv-stub.ts', 'ajv-formats': './src/mcp/ajv-stub.ts' };
    },
    banner: {
      // Some bundled CommonJS dependencies call require(); give them one.
      js: "import { createRequire as __ciCreateRequire } from 'node:module'; const require = __ciCreateRequire(import.meta.url);",
    },
    define,
  },
  {
    // The hot paths (`hook`, `watch`) as one CommonJS file: no ESM loader, no module graph.
    entry: { hook: 'src/hot.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    platform: 'node',
    target: 'node20',
    splitting: false,
    bundle: true,
    noExternal: [/.*/],
    clean: false,
    treeshake: true,
    define,
  },
]);
