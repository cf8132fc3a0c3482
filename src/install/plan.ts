/**
 * The plan: for each file, what it holds now and what it will hold. Pure: a transform turns the
 * current text into the new text, and the same transform re-runs in `apply` if the file changed in
 * between. `--dry-run`, the wizard's confirm step and `apply` all show or write this one plan.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import type { JSONPath } from 'jsonc-parser';
import { IntercomError } from '../core/errors.js';
import { unifiedDiff } from './diff.js';
import { ConfigFileError, ReadOnlyFileError } from './errors.js';
import type { Part } from './paths.js';

export type FileAction = 'create' | 'modify' | 'delete' | 'skip';

export interface TransformResult {
  /** The new content; null means the file should not exist. */
  after: string | null;
  /** What changes, for people. */
  summary: string[];
  warnings: string[];
  /** JSON keys this change creates (recorded for uninstall). */
  created: JSONPath[];
}

export interface FileTransform {
  path: string;
  kind: 'json' | 'text';
  parts: Part[];
  /** Mode for a file that does not exist yet. */
  newFileMode: number;
  /** Pure: current content (null: missing) -> new content. Throws ConfigFileError on a file we must not touch. */
  compute(current: string | null): TransformResult;
}

export interface FileState {
  path: string;
  /** Where writes go: the file itself, or what its symlink points at. */
  realPath: string;
  text: string | null;
  mode?: number;
}

export interface FileChange extends TransformResult {
  path: string;
  realPath: string;
  kind: 'json' | 'text';
  parts: Part[];
  action: FileAction;
  before: string | null;
  reason: string;
  transform: FileTransform;
}

/** Read a file as UTF-8; refuse bytes that would not survive the round trip. */
export function readText(path: string): string | null {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new IntercomError(`${path} is a folder, not a file.`, 'Move it away and run the command again.');
    throw err;
  }
  const text = buf.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buf)) {
    throw new ConfigFileError(path, 'encoding', 1, 1, 'the file is not valid UTF-8', 'Claude Code cannot read it as JSON either.', `Save ${path} as UTF-8, then run the command again.`);
  }
  return text;
}

export function readFileState(path: string): FileState {
  let realPath = path;
  try {
    realPath = realpathSync(path);
  } catch {
    /* missing: write to the path itself */
  }
  const text = readText(realPath);
  if (text === null) return { path, realPath, text };
  return { path, realPath, text, mode: statSync(realPath).mode };
}

export function isReadOnly(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o200) === 0;
}

export function actionFor(before: string | null, after: string | null): FileAction {
  if (before === after) return 'skip';
  if (before === null) return 'create';
  if (after === null) return 'delete';
  return 'modify';
}

/** Plan one file, or return the reason it cannot be touched. */
export function planFile(t: FileTransform, state: FileState): FileChange | IntercomError {
  let result: TransformResult;
  try {
    result = t.compute(state.text);
  } catch (err) {
    if (err instanceof IntercomError) return err;
    throw err;
  }
  const action = actionFor(state.text, result.after);
  if (action !== 'skip' && action !== 'create' && isReadOnly(state.mode)) return new ReadOnlyFileError(state.path, state.mode ?? 0);
  const reason =
    result.summary.length > 0
      ? result.summary.join('; ')
      : action === 'skip'
        ? state.text === null
          ? 'not there; nothing to do'
          : 'already up to date'
        : action;
  return { ...result, path: state.path, realPath: state.realPath, kind: t.kind, parts: t.parts, action, before: state.text, reason, transform: t };
}

export interface Plan {
  changes: FileChange[];
  problems: IntercomError[];
}

export function planChanges(transforms: readonly FileTransform[], states: ReadonlyMap<string, FileState>): Plan {
  const plan: Plan = { changes: [], problems: [] };
  for (const t of transforms) {
    const state = states.get(t.path);
    if (!state) throw new Error(`internal: no state read for ${t.path}`);
    const r = planFile(t, state);
    if (r instanceof IntercomError) plan.problems.push(r);
    else plan.changes.push(r);
  }
  return plan;
}

export function hasWork(changes: readonly FileChange[]): boolean {
  return changes.some((c) => c.action !== 'skip');
}

export function changeDiff(c: Pick<FileChange, 'path' | 'before' | 'after'>): string {
  return unifiedDiff(c.path, c.before, c.after);
}
