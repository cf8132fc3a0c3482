import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// One bin, code-split: `dist/cli.js` is a tiny dispatcher and every command is its own chunk,
// so the hot paths (`hook`, `watch`) load only the store, never yargs, clack or the MCP SDK.
// Dependencies are bundled so that `install` can copy `dist/` somewhere stable and it runs on
// its own, outliving any package-runner cache.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  bundle: true,
  noExternal: [/.*/],
  clean: false,
  sourcemap: false,
  minify: false,
  treeshake: true,
  shims: false,
  banner: {
    // Some bundled CommonJS dependencies call require(); give them one.
    js: "import { createRequire as __ciCreateRequire } from 'node:module'; const require = __ciCreateRequire(import.meta.url);",
  },
  define: { __VERSION__: JSON.stringify(pkg.version) },
});
