import { isAbsolute, relative, sep } from 'node:path';
import { InvalidInputError } from './errors.js';

/**
 * Reservation patterns: paths or globs relative to a checkout. `*` and `?` stay within one path
 * segment, `**` spans any number of them; a pattern without wildcards also covers everything under
 * it (`docs` = `docs` and `docs/**`). Matched case-sensitively against the real path's spelling.
 */

const MAX_PATTERN = 512;

/** A pattern the user gave, made relative to `worktree` and tidy; throws a clear error if it cannot be. */
export function normalizePattern(raw: unknown, worktree: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidInputError('A reservation path is empty.', 'Give paths or globs relative to your checkout, e.g. "docs/**" or "src/a.ts".');
  if (raw.length > MAX_PATTERN || raw.includes('\0')) throw new InvalidInputError(`A reservation path is longer than ${MAX_PATTERN} characters or holds a NUL.`);
  let p = raw.trim();
  if (isAbsolute(p)) {
    const rel = relative(worktree, p);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new InvalidInputError(`${p} is outside your checkout ${worktree}.`, 'Reserve paths inside the checkout you work in, relative to its root.');
    }
    p = rel.split(sep).join('/');
  }
  const segs = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s === '..')) throw new InvalidInputError(`"${raw}" goes up with "..".`, 'Give a path inside your checkout, relative to its root.');
  if (segs.length === 0) return '**';
  return segs.join('/') + (p.endsWith('/') ? '/**' : '');
}

function segmentRegExp(seg: string): string {
  return seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
}

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** Does a normalized pattern cover `relPath` (relative to the same checkout, `/`-separated)? */
export function patternMatches(pattern: string, relPath: string): boolean {
  if (relPath === '' || relPath.startsWith('../') || relPath === '..') return false;
  if (!hasWildcard(pattern)) return relPath === pattern || relPath.startsWith(`${pattern}/`);
  const segs = pattern.split('/');
  let re = '^';
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '**') re += last ? '.*' : '(?:[^/]+/)*';
    else re += segmentRegExp(seg) + (last ? '' : '/');
  });
  return new RegExp(`${re}$`).test(relPath);
}
