#!/usr/bin/env node
/**
 * The one entry point and the one place that exits.
 *
 * `hook` and `watch` run on Claude Code's hot path (the hook after every tool call), and `serve`
 * delays the start of every `claude -p` run, so they are dispatched before yargs is even loaded:
 * each imports only its own chunk. Every other command is declared here and its module imported
 * only when it runs.
 */
import { nodeVersionProblem } from './cli/node-version.js';
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
  // Checked after the hot paths (they must stay silent and exit 0 whatever happens) and before
  // anything that could fail oddly on an old Node.js.
  const tooOld = nodeVersionProblem(process.versions.node, process.execPath);
  if (tooOld) {
    process.stderr.write(tooOld);
    return 1;
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

/** The commands, people's first; serve/hook/watch are run by Claude Code, not by people. */
const PEOPLE_COMMANDS = ['who', 'send', 'log', 'install', 'uninstall', 'doctor'] as const;
const CLAUDE_CODE_COMMANDS = ['serve', 'hook', 'watch'] as const;
const COMMANDS: readonly string[] = [...PEOPLE_COMMANDS, ...CLAUDE_CODE_COMMANDS];
const BY_CLAUDE_CODE = '[run by Claude Code]';

/** An unknown command is caught before yargs, so it gets one message and one hint (and a guess). */
async function unknownCommand(verb: string): Promise<never> {
  const { UsageError } = await import('./cli/flags.js');
  const guess = COMMANDS.find((c) => c.startsWith(verb.slice(0, 3)) || editDistance(c, verb) <= 2);
  throw new UsageError(
    `Unknown command "${verb.length > 40 ? `${verb.slice(0, 40)}…` : verb}".${guess ? ` Did you mean \`${guess}\`?` : ''}`,
    'Run `claude-intercom --help` for the commands.',
  );
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** yargs' wording, made one plain line. */
function plainUsageMessage(msg: string): string {
  const choice = /Invalid values:\s*Argument: ([\w-]+), Given: (.*?), Choices: (.*)$/s.exec(msg);
  if (choice) return `--${choice[1]} must be one of ${choice[3]!.trim()}, not ${choice[2]}.`;
  const needsValue = /^Not enough arguments following: ([\w-]+)/.exec(msg);
  if (needsValue) return `--${needsValue[1]} needs a value.`;
  return `${msg.replace(/\s+/g, ' ').trim()}.`.replace(/\.\.$/, '.');
}

async function runYargs(argv: string[]): Promise<number> {
  // Bare `claude-intercom`: the help, not an error about a list nobody printed.
  if (argv.length === 0) argv = ['--help'];
  const verb = argv[0]!;
  if (!verb.startsWith('-') && !COMMANDS.includes(verb)) await unknownCommand(verb);
  const [{ default: yargs }, { UsageError }] = await Promise.all([import('yargs'), import('./cli/flags.js')]);
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
        'Start with `$0 install`, then open two Claude Code sessions and ask one to run `who`.\n' +
        `Commands marked ${BY_CLAUDE_CODE} are started by Claude Code itself; you never need to run them.`,
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
      'send [to] [message..]',
      'Send a message to a session by its code, or to `all` sessions of this project',
      (y) =>
        y
          .positional('to', { type: 'string', describe: 'A session code (see `who`), or `all`' })
          .positional('message', { type: 'string', array: true, default: undefined, describe: 'The text (the rest of the line)' })
          .usage('claude-intercom send <to> <message...>\n\nSend a message to a session by its code, or to `all` sessions of this project')
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
          .option('full', { type: 'boolean', default: false, describe: 'Print long messages whole (cut at 400 characters otherwise)' })
          .option('json', { type: 'boolean', default: false, describe: 'One JSON object per line (messages always whole)' }),
      run(() => import('./commands/log.js')),
    )
    .command(
      'install',
      'Set up intercom in Claude Code: MCP server, hooks and skill (wizard, or --yes)',
      (y) =>
        y
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask; use the flags and defaults' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Show the changes (a diff per file) and write nothing' })
          .option('scope', { choices: ['user', 'project'] as const, describe: 'Install for every project (user, default) or only this one (project: kept out of the files you commit)' })
          .option('mcp', { type: 'boolean', describe: 'Install the MCP server entry (default: yes; --no-mcp to skip)' })
          .option('hooks', { type: 'boolean', describe: 'Install the hooks (default: yes; --no-hooks to skip)' })
          .option('skill', { type: 'boolean', describe: 'Install the skill (default: yes; --no-skill to skip)' })
          .option('allow', {
            type: 'boolean',
            describe: 'Allow the intercom tools without a prompt per call (permissions.allow "mcp__intercom"; default: yes; --no-allow to skip)',
          })
          .option('bin', {
            type: 'boolean',
            describe: 'Put a `claude-intercom` command in ~/.local/bin (or ~/bin) when that folder is on your PATH (default: yes; --no-bin to skip)',
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the plan and result as JSON (writes only with --yes)' })
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
          .option('json', { type: 'boolean', default: false, describe: 'Print the plan and result as JSON (writes only with --yes)' }),
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
      'serve',
      `${BY_CLAUDE_CODE} The MCP server of one Claude Code session, over stdio`,
      (y) => y,
      run(() => import('./commands/serve.js')),
    )
    .command(
      'hook',
      `${BY_CLAUDE_CODE} A hook event: put unread messages into the model's context (hook JSON on stdin)`,
      (y) => y,
      run(async () => {
        const { runHook } = await import('./commands/hook.js');
        return { run: (ctx: Context) => runHook(ctx) };
      }),
    )
    .command(
      'watch',
      `${BY_CLAUDE_CODE} Wait while a session is idle; exit 2 to wake it with a message (Stop/SessionStart hooks)`,
      (y) => y,
      run(async () => {
        const { runWatch } = await import('./commands/watch.js');
        return { run: (ctx: Context) => runWatch(ctx) };
      }),
    )
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(null)
    .fail((msg, err) => {
      if (err) throw err;
      // Thrown, not printed: the parse stops here, so no handler runs after a usage error and
      // nothing else is printed. src/cli.ts's catch prints it once, with one hint, exit 2.
      throw new UsageError(plainUsageMessage(msg), `Run \`claude-intercom ${COMMANDS.includes(verb) ? `${verb} ` : ''}--help\` for the usage.`);
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
    // Hints name the command as it runs here (`claude-intercom` may not be on PATH after npx).
    const { selfCommand, withSelfCommand } = await import('./install/launcher.js');
    const { homedir } = await import('node:os');
    const { terminalLines } = await import('./core/framing.js');
    const self = selfCommand({ env: process.env, homeDir: homedir() }, process.argv[1]);
    // An error may quote what it refused: never let it drive the terminal.
    process.stderr.write(`claude-intercom: ${terminalLines(withSelfCommand(describeError(err), self))}
`);
    if (process.env.CLAUDE_INTERCOM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof IntercomError ? err.exitCode : 1;
  },
);
