import type { Context } from '../core/context.js';
import type { ConfigFileError } from '../install/errors.js';
import type { Locations } from '../install/paths.js';

export type CheckStatus = 'ok' | 'warning' | 'failure';

/** What one check found. `fix` says exactly what to do when the status is not ok. */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** A config file Claude Code reads, as doctor saw it. */
export interface ConfigFile {
  path: string;
  /** Which file this is, for people: "user settings", "project .mcp.json", ... */
  role: string;
  text: string | null;
  /** Parsed value when it is strict JSON (undefined when missing or unreadable). */
  value?: Record<string, unknown>;
  /** Why Claude Code would not read it. */
  issue?: ConfigFileError;
}

/** How doctor runs a program (execa in production; tests pass their own). */
export type Exec = (file: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number }) => Promise<{ exitCode: number | undefined; stdout: string; stderr: string; notFound: boolean }>;

export interface DoctorDeps {
  /** The Node.js version to judge (default: this process's). */
  nodeVersion?: string;
  exec?: Exec;
  /** Root of the running package (for the self-test when nothing is installed). */
  packageRoot?: string;
  /** Run the live self-test (default: true). */
  selfTest?: boolean;
  /** How long the self-test waits for the watcher (default 15 s). */
  selfTestTimeoutMs?: number;
}

export interface DoctorEnv {
  ctx: Context;
  deps: DoctorDeps;
  exec: Exec;
  user: Locations;
  project: Locations;
  files: {
    claudeJson: ConfigFile;
    userSettings: ConfigFile;
    homeMcpJson: ConfigFile;
    projectMcpJson: ConfigFile;
    projectSettings: ConfigFile;
    projectLocalSettings: ConfigFile;
  };
}

export function ok(id: string, title: string, detail: string): CheckResult {
  return { id, title, status: 'ok', detail };
}
export function warning(id: string, title: string, detail: string, fix: string): CheckResult {
  return { id, title, status: 'warning', detail, fix };
}
export function failure(id: string, title: string, detail: string, fix: string): CheckResult {
  return { id, title, status: 'failure', detail, fix };
}
