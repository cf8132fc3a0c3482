/**
 * A unified diff for people to read before anything is written. Common head and tail are
 * trimmed first (config edits are small, files can be large), then an LCS on what is left.
 */

type Op = { t: ' ' | '-' | '+'; line: string };

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return { lines, finalNewline };
}

const MAX_LCS_CELLS = 4_000_000;

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ t: '+', line }));
  if (m === 0) return a.map((line) => ({ t: '-', line }));
  if (n * m > MAX_LCS_CELLS) return [...a.map((line): Op => ({ t: '-', line })), ...b.map((line): Op => ({ t: '+', line }))];
  const w = m + 1;
  const dp = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * w + j] = a[i] === b[j] ? dp[(i + 1) * w + j + 1]! + 1 : Math.max(dp[(i + 1) * w + j]!, dp[i * w + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i]! });
      i++;
      j++;
    } else if (dp[(i + 1) * w + j]! >= dp[i * w + j + 1]!) {
      ops.push({ t: '-', line: a[i++]! });
    } else {
      ops.push({ t: '+', line: b[j++]! });
    }
  }
  while (i < n) ops.push({ t: '-', line: a[i++]! });
  while (j < m) ops.push({ t: '+', line: b[j++]! });
  return ops;
}

export function diffOps(before: string, after: string): Op[] {
  const A = splitLines(before);
  const B = splitLines(after);
  const a = A.lines;
  const b = B.lines;
  // Like diff(1): a last line without a newline says so (and differs from one with it).
  const marker = '\n\\ No newline at end of file';
  if (!A.finalNewline && a.length) a[a.length - 1] += marker;
  if (!B.finalNewline && b.length) b[b.length - 1] += marker;
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return [
    ...a.slice(0, head).map((line): Op => ({ t: ' ', line })),
    ...lcsOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((line): Op => ({ t: ' ', line })),
  ];
}

/** `diff -u`-style text; empty when nothing changes. `null` stands for a missing file. */
export function unifiedDiff(path: string, before: string | null, after: string | null, context = 3): string {
  if (before === after) return '';
  const ops = diffOps(before ?? '', after ?? '');
  const out: string[] = [`--- ${before === null ? '/dev/null' : `a${path}`}`, `+++ ${after === null ? '/dev/null' : `b${path}`}`];
  const changed = ops.map((o, i) => (o.t !== ' ' ? i : -1)).filter((i) => i >= 0);
  let k = 0;
  while (k < changed.length) {
    let start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length, changed[k]! + context + 1);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end) {
      k++;
      end = Math.min(ops.length, changed[k]! + context + 1);
    }
    k++;
    let aStart = 0;
    let bStart = 0;
    for (let i = 0; i < start; i++) {
      if (ops[i]!.t !== '+') aStart++;
      if (ops[i]!.t !== '-') bStart++;
    }
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@`);
    for (const o of hunk) out.push(...`${o.t}${o.line}`.split('\n'));
    start = end;
  }
  return `${out.join('\n')}\n`;
}
