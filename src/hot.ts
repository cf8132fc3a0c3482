/**
 * `dist/hook.cjs`: the hot paths, `hook` and `watch`, as one self-contained CommonJS file.
 *
 * Claude Code runs the hook after every tool call, so its cost is paid all day. One CommonJS file
 * skips the ESM loader and the module graph that `cli.js` would walk; it holds only the store and
 * the Claude Code adapters. `claude-intercom hook` (through cli.js) does the same thing, slower.
 */
import { runHook } from './commands/hook.js';
import { runWatch } from './commands/watch.js';
import { processContext } from './core/context.js';

const verb = process.argv[2];
const run = verb === 'watch' ? runWatch : verb === 'hook' ? runHook : undefined;
if (!run) {
  process.stderr.write('usage: node hook.cjs hook|watch  (run by Claude Code hooks; see `claude-intercom --help`)\n');
  process.exit(2);
}
run(processContext()).then(
  (code) => process.exit(code),
  () => process.exit(0),
);
