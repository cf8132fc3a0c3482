/**
 * The install wizard: UI only. It asks for the choices that have no flag yet, shows the plan
 * (the same text `--dry-run` prints) and asks before writing. Every answer also has a flag.
 * Clack reads and writes the given streams, so tests drive it with fake ones.
 */
import { cancel, confirm, group, intro, isCancel, multiselect, outro, select } from '@clack/prompts';
import type { Readable, Writable } from 'node:stream';
import type { Part, Scope } from './paths.js';

export interface WizardIO {
  input: Readable;
  output: Writable;
}

export interface WizardChoices {
  scope: Scope;
  parts: Part[];
}

/** Ask for scope and parts (skipping what the flags already decided); null if cancelled. */
export async function askInstallChoices(io: WizardIO, given: { scope?: Scope; parts?: Part[] }, projectDir: string): Promise<WizardChoices | null> {
  intro('claude-intercom install', io);
  let cancelled = false;
  const answers = await group(
    {
      scope: () =>
        given.scope !== undefined
          ? Promise.resolve(given.scope)
          : select<Scope>({
              ...io,
              message: 'Where should intercom be set up?',
              initialValue: 'user',
              options: [
                { value: 'user', label: 'For me, in every project', hint: 'user scope: ~/.claude.json, ~/.claude/settings.json' },
                { value: 'project', label: 'Only in this project', hint: `${projectDir} (your own files only: nothing you commit)` },
              ],
            }),
      // clack's group goes on after a cancel; a cancelled wizard asks nothing more.
      parts: () =>
        cancelled
          ? undefined
          : given.parts !== undefined
          ? Promise.resolve(given.parts)
          : multiselect<Part>({
              ...io,
              message: 'Which parts? (space toggles, enter confirms)',
              required: true,
              initialValues: ['mcp', 'hooks', 'skill', 'allow'],
              options: [
                { value: 'mcp', label: 'MCP server', hint: 'the tools: who, send, reply, peek, ack' },
                { value: 'hooks', label: 'Hooks', hint: 'deliver messages while busy, wake the session when idle' },
                { value: 'skill', label: 'Skill', hint: 'tells the model how to work beside other sessions' },
                { value: 'allow', label: 'Allow the intercom tools', hint: 'permissions.allow "mcp__intercom": a woken session can answer without you approving each call' },
              ],
            }),
    },
    {
      onCancel: () => {
        cancelled = true;
      },
    },
  );
  if (cancelled || isCancel(answers.scope) || isCancel(answers.parts)) {
    cancel('Cancelled; nothing was written.', io);
    return null;
  }
  return { scope: answers.scope, parts: answers.parts };
}

/** Ask whether to add the `claude-intercom` command (a launcher at `path`); null if cancelled. */
export async function askLauncher(io: WizardIO, path: string): Promise<boolean | null> {
  const ok = await confirm({ ...io, message: `Add a \`claude-intercom\` command for you (${path})?`, initialValue: true });
  if (isCancel(ok)) {
    cancel('Cancelled; nothing was written.', io);
    return null;
  }
  return ok === true;
}

/** Show the plan and ask whether to write it. */
export async function confirmPlan(io: WizardIO, planText: string, question: string): Promise<boolean> {
  io.output.write(`${planText}\n`);
  const ok = await confirm({ ...io, message: question, initialValue: true });
  if (isCancel(ok) || ok !== true) {
    cancel('Cancelled; nothing was written.', io);
    return false;
  }
  return true;
}

export function finish(io: WizardIO, message: string): void {
  outro(message, io);
}
