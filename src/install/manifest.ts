/**
 * What install did, so that uninstall can undo exactly that: which files it created, the bytes it
 * last wrote (a hash), where the pre-install bytes are kept, which keys and folders it created.
 * Kept at `<intercom home>/install-manifest.json` (0600).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { JSONPath } from 'jsonc-parser';
import { UnsafeStateError } from '../core/errors.js';
import type { Part, Scope } from './paths.js';

export const MANIFEST_NAME = 'install-manifest.json';

export interface FileRecord {
  /** The file did not exist before the first install. */
  created: boolean;
  /** A copy of the file as it was before the first install changed it, and its hash. */
  originalBackup?: string;
  originalSha256?: string;
  /** Hash of the bytes install last wrote; uninstall restores exactly when the file still has them. */
  afterSha256: string | null;
  /** Keys install created in this file (removed again only if empty). */
  createdKeys: JSONPath[];
  /** For the skill: the hash of the template install wrote. */
  templateSha256?: string;
}

export interface InstallRecord {
  scope: Scope;
  configDir: string;
  projectDir?: string;
  version: string;
  appDir?: string;
  nodePath?: string;
  cliPath?: string;
  parts: Part[];
  installedAt: string;
  updatedAt: string;
  files: Record<string, FileRecord>;
  /** Folders install created (deepest last); uninstall removes them when empty. */
  createdDirs: string[];
  /** The `claude-intercom` launcher this install put on PATH, if any. */
  launcher?: string;
}

export interface Manifest {
  schema: 1;
  installs: Record<string, InstallRecord>;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function manifestPath(intercomHome: string): string {
  return join(intercomHome, MANIFEST_NAME);
}

export function readManifest(intercomHome: string): Manifest {
  const path = manifestPath(intercomHome);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { schema: 1, installs: {} };
    throw err;
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m?.schema !== 1 || typeof m.installs !== 'object' || m.installs === null) throw new Error('unknown schema');
    return m;
  } catch (err) {
    throw new UnsafeStateError(
      `The install manifest ${path} is unreadable (${(err as Error).message}).`,
      `Move it away (mv ${JSON.stringify(path)} ${JSON.stringify(`${path}.broken`)}) and run the command again; intercom then recognises its entries by their command.`,
    );
  }
}

export function writeManifest(intercomHome: string, manifest: Manifest): void {
  const path = manifestPath(intercomHome);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* not there */
    }
    throw err;
  }
}

/**
 * The folders our entries run files from: every installed copy the manifest knows (with a
 * trailing slash) and `<intercom home>/app/` itself. Lets us recognise our older entries.
 */
export function knownAppPaths(manifest: Manifest, intercomHome: string): string[] {
  const dirs = Object.values(manifest.installs).flatMap((r) => (r.appDir ? [r.appDir] : r.cliPath ? [dirname(dirname(r.cliPath))] : []));
  return [...new Set([...dirs, join(intercomHome, 'app')].map((d) => `${d}${sep}`))];
}
