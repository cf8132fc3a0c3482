/**
 * The oldest Node.js intercom runs on (package.json `engines`). Checked when a command starts, so
 * an old Node says so plainly instead of failing later on a missing API.
 */
export const MIN_NODE_VERSION = '20.12.0';

function parts(v: string): number[] {
  return v.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
}

export function isNodeTooOld(version: string, min: string = MIN_NODE_VERSION): boolean {
  const a = parts(version);
  const b = parts(min);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** The error a person reads, or undefined when this Node.js is new enough. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  if (!isNodeTooOld(version)) return undefined;
  return (
    `claude-intercom needs Node.js ${MIN_NODE_VERSION} or newer; this is Node.js ${version.replace(/^v/, '')} (${execPath}).\n` +
    '  Install a newer Node.js (e.g. `nvm install 22`, or your system\'s package), then run the command again.\n'
  );
}
