/**
 * Wrap an async check so that it never runs twice at once: a call while it runs asks for exactly
 * one more run after it. For "something may have changed" signals (doorbells, file watches), where
 * every signal must be followed by one complete look, and overlapping looks would race each other.
 */
export function coalesce(fn: () => Promise<void>, onError: (err: unknown) => void = () => undefined): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    fn()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) run();
      });
  };
  return run;
}
