import { IntercomError, UnsafeStateError } from '../core/errors.js';

/** What is wrong with a config file, in the words a person needs. */
export type ConfigProblem = 'comment' | 'trailing-comma' | 'syntax' | 'not-an-object' | 'encoding' | 'wrong-type';

/**
 * A config file that Claude Code reads as strict JSON is not strict JSON (or not the shape we need).
 * We refuse to write into it: our hooks would be ignored along with everything else in it.
 */
export class ConfigFileError extends UnsafeStateError {
  constructor(
    readonly file: string,
    readonly problem: ConfigProblem,
    readonly line: number,
    readonly column: number,
    what: string,
    consequence: string,
    fix: string,
  ) {
    super(`${file}:${line}:${column}: ${what}. ${consequence}`, fix);
  }
}

/** The file may not be written (read-only); we do not override a person's choice. */
export class ReadOnlyFileError extends UnsafeStateError {
  constructor(readonly file: string, mode: number) {
    super(
      `${file} is read-only (mode ${(mode & 0o777).toString(8)}); nothing was written.`,
      `If you want intercom to change it: chmod u+w ${JSON.stringify(file)}  and run the command again.`,
    );
  }
}

/** Somebody kept changing the file while we tried to write it. */
export class ConcurrentChangeError extends IntercomError {
  constructor(readonly file: string, attempts: number) {
    super(
      `${file} changed ${attempts} times while intercom was writing it; gave up so as not to overwrite the other change.`,
      'Close the program that is rewriting it (e.g. a running Claude Code) or wait a moment, then run the command again.',
    );
  }
}

/** One or more files made the plan impossible; nothing was written. */
export class PlanRefusedError extends UnsafeStateError {
  constructor(readonly problems: readonly IntercomError[]) {
    super(
      `Nothing was written: ${problems.length === 1 ? 'a config file needs' : `${problems.length} config files need`} attention first.\n` +
        problems.map((p) => `  - ${p.message}`).join('\n'),
      problems
        .map((p) => p.hint)
        .filter((h): h is string => !!h)
        .join('\n  '),
    );
  }
}

/** The running package has no built `dist/` to copy (running from a source checkout). */
export class PackageNotBuiltError extends IntercomError {
  constructor(root: string) {
    super(`${root} has no dist/cli.js to install.`, 'Build it first: npm run build');
  }
}
