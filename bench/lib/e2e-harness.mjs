// The end-to-end harness of test/e2e/support (TypeScript), bundled on the fly with esbuild (which
// tsup already depends on), for the benchmarks that drive the real Claude Code against the mock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadHarness(repo) {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'bench-harness-'));
  const outfile = join(dir, 'harness.mjs');
  await build({
    stdin: {
      contents: ['mock-anthropic', 'claude', 'intercom', 'procs'].map((m) => `export * from './${m}.ts';`).join('\n'),
      resolveDir: join(repo, 'test/e2e/support'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  const harness = await import(pathToFileURL(outfile).href);
  rmSync(dir, { recursive: true, force: true });
  return harness;
}
