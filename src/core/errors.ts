/**
 * Typed errors. Library code throws these; only the CLI entry maps them to exit codes, and the
 * MCP tools turn them into `isError` results. `hint` is the "what to do" half of a good error.
 */
export class IntercomError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The message and its fix, as a person should read them. */
  describe(): string {
    return this.hint ? `${this.message}\n  ${this.hint}` : this.message;
  }
}

/** Input from a person or a model was not acceptable. Nothing was changed. */
export class InvalidInputError extends IntercomError {
  constructor(message: string, hint?: string) {
    super(message, hint, 2);
  }
}

/** The store (or a config file) is in a state we refuse to use, e.g. unsafe permissions. */
export class UnsafeStateError extends IntercomError {}

/** A session or message that was asked for does not exist (or is no longer live). */
export class NotFoundError extends IntercomError {}

/**
 * A write found no space left (the disk or the quota is full). Nothing half-written was kept: the
 * partial file is removed, and whatever was being sent was not sent.
 */
export class StoreFullError extends IntercomError {
  constructor(
    readonly path: string,
    readonly wanted: number,
    readonly written: number,
    readonly reason?: unknown,
    readonly consequence = 'nothing was changed',
  ) {
    super(
      `No space left on the disk to write ${path} (${written} of ${wanted} bytes written${reason ? `, then ${(reason as { code?: string }).code ?? 'an error'}` : ', then no progress'}): ` +
        `${consequence}, and the partial file was removed.`,
      'Free some space on the disk that holds the intercom store (`df -h` on it), then send again. Intercom already ' +
        'trimmed its history and leftovers to make room; `claude-intercom doctor` shows what the store holds.',
    );
  }
}

export function describeError(err: unknown): string {
  if (err instanceof IntercomError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
