/**
 * Writing the plan: back up each file before its first change, write a temp file in the same
 * folder (keeping the file's mode), and rename it into place — but only if the file still holds
 * exactly what we planned from. If someone changed it in between (Claude Code rewrites
 * ~/.claude.json often), re-read it and re-apply our transform to the new content instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IntercomError } from '../core/errors.js';
import { ConcurrentChangeError, ReadOnlyFileError } from './errors.js';
import { actionFor, isReadOnly, readText, type FileAction, type FileChange } from './plan.js';

/** Test seams: run between computing a file's new content and committing it. */
export interface ApplySeams {
  beforeCommit?: (path: string, attempt: number) => void | Promise<void>;
}

export interface ApplyOptions {
  /** Folder for this run's backups (created on first use, 0700). */
  backupDir: string;
  seams?: ApplySeams;
  maxAttempts?: number;
}

export interface AppliedChange {
  path: string;
  action: FileAction;
  /** What the file held just before we wrote it, and what we wrote. */
  before: string | null;
  after: string | null;
  backup?: string;
  /** How many times the file changed under us and our edit was re-applied. */
  reapplied: number;
  createdDirs: string[];
  summary: string[];
  created: FileChange['created'];
}

export interface ApplyOutcome {
  applied: AppliedChange[];
  /** The first failure; files before it were written, files after it were not. */
  error?: unknown;
}

/** mkdir -p that reports which folders it created, outermost first. */
export function mkdirs(dir: string, mode?: number): string[] {
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.unshift(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing) mkdirSync(m, mode === undefined ? {} : { mode });
  return missing;
}

/** Remove these folders (deepest first) when empty; keep any that are not. */
export function removeEmptyDirs(dirs: readonly string[]): string[] {
  const removed: string[] = [];
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d);
      removed.push(d);
    } catch {
      /* not empty, or gone: keep */
    }
  }
  return removed;
}

function backupName(path: string): string {
  return `${basename(path)}.${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
}

export function writeBackup(backupDir: string, path: string, content: string): string {
  mkdirs(backupDir, 0o700);
  const dest = join(backupDir, backupName(path));
  writeFileSync(dest, content, { mode: 0o600 });
  chmodSync(dest, 0o600);
  return dest;
}

async function applyOne(change: FileChange, opts: ApplyOptions): Promise<AppliedChange> {
  const target = change.realPath;
  const max = opts.maxAttempts ?? 5;
  let expected = change.before;
  let after = change.after;
  let summary = change.summary;
  let created = change.created;
  let reapplied = 0;
  let backup: string | undefined;
  let backedUp: string | null = null;
  const createdDirs: string[] = [];

  for (let attempt = 1; ; attempt++) {
    const current = readText(target);
    if (current !== expected) {
      // Changed since we planned: our edit goes onto the new content (or may be needed no more).
      const r = change.transform.compute(current);
      after = r.after;
      summary = r.summary;
      created = r.created;
      expected = current;
      reapplied++;
    }
    const action = actionFor(current, after);
    if (action === 'skip') return { path: change.path, action, before: current, after: current, reapplied, createdDirs, summary, created };
    let mode: number | undefined;
    if (current !== null) {
      mode = statSync(target).mode & 0o7777;
      if (isReadOnly(mode)) throw new ReadOnlyFileError(change.path, mode);
      if (backedUp !== current) {
        backup = writeBackup(opts.backupDir, change.path, current);
        backedUp = current;
      }
    }
    let tmp: string | undefined;
    if (after !== null) {
      createdDirs.push(...mkdirs(dirname(target)));
      tmp = join(dirname(target), `.${basename(target)}.intercom-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
      const fileMode = mode ?? change.transform.newFileMode;
      writeFileSync(tmp, after, { mode: fileMode, flag: 'wx' });
      chmodSync(tmp, fileMode);
    }
    try {
      await opts.seams?.beforeCommit?.(change.path, attempt);
      // The last look: never overwrite a change somebody made since we read the file.
      if (readText(target) !== current) {
        if (tmp) unlinkSync(tmp);
        tmp = undefined;
        if (attempt >= max) throw new ConcurrentChangeError(change.path, attempt);
        continue;
      }
      if (tmp) renameSync(tmp, target);
      else unlinkSync(target);
      tmp = undefined;
    } finally {
      if (tmp) {
        try {
          unlinkSync(tmp);
        } catch {
          /* gone */
        }
      }
    }
    return { path: change.path, action, before: current, after, ...(backup ? { backup } : {}), reapplied, createdDirs, summary, created };
  }
}

/** Apply every change in order; stop at the first failure (and say which files were written). */
export async function applyChanges(changes: readonly FileChange[], opts: ApplyOptions): Promise<ApplyOutcome> {
  const applied: AppliedChange[] = [];
  for (const change of changes) {
    if (change.action === 'skip') continue;
    try {
      applied.push(await applyOne(change, opts));
    } catch (error) {
      const err =
        error instanceof IntercomError
          ? error
          : new IntercomError(`Could not write ${change.path}: ${(error as Error).message}`, 'Check the folder exists and is writable, then run the command again.');
      return { applied, error: err };
    }
  }
  return { applied };
}
