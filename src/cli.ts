#!/usr/bin/env node
/**
 * The one entry point and the one place that exits.
 *
 * `hook` and `watch` run on Claude Code's hot path (the hook after every tool call), and `serve`
 * delays the start of every `claude -p` run, so they are dispatched before yargs is even loaded:
 * each imports only its own chunk. Every other command is declared here and its module imported
 * only when it runs.
 */
import type { Context } from './core/context.js';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

async function main(argv: string[]): Promise<number> {
  const [verb] = argv;
  if (verb === 'hook' && argv.length === 1) {
    const { runHook } = await import('./commands/hook.js');
    return runHook(await context());
  }
  if (verb === 'watch' && argv.length === 1) {
    const { runWatch } = await import('./commands/watch.js');
    return runWatch(await context());
  }
  // Claude Code waits for MCP servers before a `claude -p` run starts: skip yargs (~80 ms) here too.
  if (verb === 'serve' && argv.length === 1) {
    const { run } = await import('./commands/serve.js');
    return run(await context());
  }
  return runYargs(argv);
}

async function context(): Promise<Context> {
  const { processContext } = await import('./core/context.js');
  return processContext();
}

async function runYargs(argv: string[]): Promise<number> {
  const { default: yargs } = await import('yargs');
  let exitCode = 0;
  const run =
    <A>(load: () => Promise<{ run: (ctx: Context, args: A) => Promise<number> }>) =>
    async (args: A) => {
      const mod = await load();
      exitCode = await mod.run(await context(), args);
    };

  const parser = yargs(argv)
    .scriptName('claude-intercom')
    .usage(
      'claude-intercom: let parallel Claude Code sessions find each other and talk in real time.\n\n' +
        'Usage: $0 <command> [options]\n\n' +
        'Start with `$0 install`, then open two Claude Code sessions and ask one to run `who`.',
    )
    .command(
      'serve',
      'Run the MCP server for one Claude Code session (started by Claude Code, over stdio)',
      (y) => y,
      run(() => import('./commands/serve.js')),
    )
    .command(
      'hook',
      "Handle a Claude Code hook event: put unread messages into the model's context (reads hook JSON on stdin)",
      (y) => y,
      run(async () => {
        const { runHook } = await import('./commands/hook.js');
        return { run: (ctx: Context) => runHook(ctx) };
      }),
    )
    .command(
      'watch',
      'Wait for messages while a session is idle; exit 2 to wake it (run by the Stop/SessionStart hooks)',
      (y) => y,
      run(async () => {
        const { runWatch } = await import('./commands/watch.js');
        return { run: (ctx: Context) => runWatch(ctx) };
      }),
    )
    .command(
      'install',
      'Set up intercom in Claude Code: MCP server, hooks and skill (wizard, or --yes)',
      (y) =>
        y
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask; use the flags and defaults' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Show the changes (a diff per file) and write nothing' })
          .option('scope', { choices: ['user', 'project'] as const, describe: 'Install for every project (user, default) or only this one' })
          .option('mcp', { type: 'boolean', describe: 'Install the MCP server entry (default: yes; --no-mcp to skip)' })
          .option('hooks', { type: 'boolean', describe: 'Install the hooks (default: yes; --no-hooks to skip)' })
          .option('skill', { type: 'boolean', describe: 'Install the skill (default: yes; --no-skill to skip)' })
          .option('allow', {
            type: 'boolean',
            describe: 'Allow the intercom tools without a prompt per call (permissions.allow "mcp__intercom"; default: yes; --no-allow to skip)',
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the plan and result as JSON' })
          .option('backend', { type: 'string', describe: "A team engine: redis://user:password@host:6379/0?prefix=team (rediss:// for TLS); kept 0600 in the store" })
          .option('allow-no-auth', { type: 'boolean', default: false, describe: 'Accept a --backend URL without a password to another machine' }),
      run(() => import('./commands/install.js')),
    )
    .command(
      'uninstall',
      'Remove exactly what install added',
      (y) =>
        y
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Show the changes and write nothing' })
          .option('scope', { choices: ['user', 'project'] as const, describe: 'Which install to remove (default: user)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the plan and result as JSON' }),
      run(() => import('./commands/uninstall.js')),
    )
    .command(
      'doctor',
      'Check the set-up and say exactly how to fix what is wrong (runs a live self-test)',
      (y) =>
        y
          .option('json', { type: 'boolean', default: false, describe: 'Print the checks as JSON' })
          .option('self-test', { type: 'boolean', default: true, describe: 'Run the live self-test (--no-self-test to skip)' }),
      run(() => import('./commands/doctor.js')),
    )
    .command(
      'who',
      'List the live Claude Code sessions (this project, or --all)',
      (y) =>
        y
          .option('all', { type: 'boolean', default: false, describe: 'Every project, not only the current one' })
          .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
      run(() => import('./commands/who.js')),
    )
    .command(
      'send <to> <message...>',
      'Send a message to a session by its code, or to `all` sessions of this project',
      (y) =>
        y
          .positional('to', { type: 'string', demandOption: true, describe: 'A session code (see `who`), or `all`' })
          .positional('message', { type: 'string', array: true, demandOption: true, describe: 'The text' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the sent message as JSON' }),
      run(() => import('./commands/send.js')),
    )
    .command(
      'log',
      'Show recent traffic between sessions (and people); --follow streams new messages',
      (y) =>
        y
          .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep running and print messages as they are sent' })
          .option('limit', { alias: 'n', type: 'number', default: 50, describe: 'How many recent messages to show first' })
          .option('json', { type: 'boolean', default: false, describe: 'One JSON object per line' }),
      run(() => import('./commands/log.js')),
    )
    .demandCommand(1, 'Name a command: see the list above.')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(null)
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\n\nRun \`claude-intercom --help\` for the commands.\n`);
      exitCode = 2;
    });

  await parser.parseAsync();
  return exitCode;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
    // The hook and the watcher end the moment their answer is written: nothing else may linger.
    if (argv.length === 1 && (argv[0] === 'hook' || argv[0] === 'watch')) process.exit(code);
  },
  async (err: unknown) => {
    const { describeError, IntercomError } = await import('./core/errors.js');
    process.stderr.write(`claude-intercom: ${describeError(err)}\n`);
    if (process.env.CLAUDE_INTERCOM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof IntercomError ? err.exitCode : 1;
  },
);
