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

export function describeError(err: unknown): string {
  if (err instanceof IntercomError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
