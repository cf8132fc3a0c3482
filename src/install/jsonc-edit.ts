/**
 * Strict reading and narrow editing of Claude Code's JSON config files.
 *
 * Claude Code reads every one of these files as STRICT JSON: one comment or trailing comma and a
 * settings.json is ignored as a whole, a ~/.claude.json is treated as corrupted. So we parse
 * strictly and refuse (with file, line and column) rather than write hooks nobody will run.
 *
 * Edits are computed from jsonc-parser's tree and applied with `applyEdits`, touching only the
 * bytes of our own keys. We do not use `modify`'s formatter: it re-formats the siblings around an
 * edit (a one-line group next to ours comes back spread over five lines). Instead an insertion
 * copies the indentation of its neighbours, and a removal is the exact inverse of an insertion,
 * so install then uninstall gives back the same bytes.
 */
import { applyEdits, createScanner, findNodeAtLocation, getNodeValue, parseTree, type Edit, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import { basename } from 'node:path';
import { ConfigFileError, type ConfigProblem } from './errors.js';

// jsonc-parser's SyntaxKind / ParseErrorCode are ambient const enums (unusable with isolatedModules).
const TOKEN_COMMA = 5;
const TOKEN_CLOSE_BRACE = 2;
const TOKEN_CLOSE_BRACKET = 4;
const TOKEN_LINE_COMMENT = 12;
const TOKEN_BLOCK_COMMENT = 13;
const TOKEN_LINE_BREAK = 14;
const TOKEN_TRIVIA = 15;
const TOKEN_EOF = 17;

const PARSE_ERROR_NAMES: Record<number, string> = {
  1: 'an invalid symbol',
  2: 'an invalid number',
  3: 'a property name was expected',
  4: 'a value was expected',
  5: 'a colon was expected',
  6: 'a comma was expected',
  7: 'a closing brace was expected',
  8: 'a closing bracket was expected',
  9: 'the end of the file was expected',
  10: 'a comment',
  11: 'an unterminated comment',
  12: 'an unterminated string',
  13: 'an unterminated number',
  14: 'an invalid unicode escape',
  15: 'an invalid escape character',
  16: 'an invalid character in a string',
};

const BOM = '\uFEFF';

/** What Claude Code does with a file it cannot read as strict JSON. */
export function claudeCodeConsequence(file: string): string {
  const name = basename(file);
  if (name === '.claude.json') {
    return 'Claude Code treats a .claude.json like this as corrupted: it moves it aside to ~/.claude/backups/.claude.json.corrupted.<time> and reports a configuration error.';
  }
  if (name.startsWith('settings')) {
    return 'Claude Code ignores this whole settings file while it has this (its hooks and permissions included).';
  }
  return 'Claude Code reads this file as strict JSON and cannot load it (none of its MCP servers start).';
}

export interface Position {
  line: number;
  column: number;
}

export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export interface StrictIssue extends Position {
  problem: ConfigProblem;
  what: string;
  offset: number;
}

/**
 * Every reason Claude Code would reject this text (BOM already removed), first one first.
 * Comments and trailing commas are found with the scanner so that they are named as such.
 */
export function strictIssues(body: string): StrictIssue[] {
  const issues: StrictIssue[] = [];
  const add = (problem: ConfigProblem, what: string, offset: number) => issues.push({ problem, what, offset, ...positionAt(body, offset) });

  const scanner = createScanner(body, false);
  let prev: { kind: number; offset: number } | undefined;
  for (;;) {
    const kind = scanner.scan();
    if (kind === TOKEN_EOF) break;
    const offset = scanner.getTokenOffset();
    if (kind === TOKEN_LINE_COMMENT || kind === TOKEN_BLOCK_COMMENT) {
      add('comment', 'a comment (JSON has none)', offset);
      continue;
    }
    if (kind === TOKEN_TRIVIA || kind === TOKEN_LINE_BREAK) continue;
    if ((kind === TOKEN_CLOSE_BRACE || kind === TOKEN_CLOSE_BRACKET) && prev?.kind === TOKEN_COMMA) {
      add('trailing-comma', `a trailing comma before '${kind === TOKEN_CLOSE_BRACE ? '}' : ']'}'`, prev.offset);
    }
    prev = { kind, offset };
  }

  const errors: ParseError[] = [];
  parseTree(body, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  for (const e of errors) add('syntax', `a syntax error: ${PARSE_ERROR_NAMES[e.error] ?? 'invalid JSON'}`, e.offset);

  if (issues.length === 0) {
    // Belt and braces: exactly what a JavaScript program like Claude Code would do with the text.
    try {
      JSON.parse(body);
    } catch (err) {
      const m = /position (\d+)/.exec(String((err as Error).message));
      add('syntax', `a syntax error: ${(err as Error).message}`, m ? Number(m[1]) : 0);
    }
  }
  issues.sort((a, b) => a.offset - b.offset);
  return issues;
}

export interface JsonFormat {
  bom: boolean;
  eol: '\n' | '\r\n';
  /** One level of indentation: a tab or some spaces. */
  unit: string;
  /** The separator between a key and its value in a multi-line object, e.g. ': '. */
  colon: string;
  /** The whole file is on one line: keep it on one line. */
  oneLine: boolean;
}

export function detectFormat(raw: string): JsonFormat {
  const bom = raw.startsWith(BOM);
  const body = bom ? raw.slice(1) : raw;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  let unit = '  ';
  let minSpaces = Infinity;
  let tabs = false;
  for (const m of body.matchAll(/\n([ \t]+)\S/g)) {
    const ws = m[1] ?? '';
    if (ws.startsWith('\t')) {
      tabs = true;
      break;
    }
    minSpaces = Math.min(minSpaces, ws.length);
  }
  if (tabs) unit = '\t';
  else if (Number.isFinite(minSpaces) && minSpaces > 0 && minSpaces <= 8) unit = ' '.repeat(minSpaces);
  const colonMatch = /"\s*(:\s*)/.exec(body);
  const colon = colonMatch?.[1]?.replace(/[\r\n]/g, '') ?? ': ';
  const trimmed = body.trim();
  return { bom, eol, unit, colon: colon === '' ? ': ' : colon, oneLine: !trimmed.includes('\n') && trimmed !== '{}' && trimmed !== '' };
}

/** Strict-parse `raw` (a whole file) or throw a ConfigFileError naming file, line and column. */
export function checkStrict(file: string, raw: string): void {
  const body = raw.startsWith(BOM) ? raw.slice(1) : raw;
  if (body.trim() === '') return;
  const issue = strictIssues(body)[0];
  if (issue) throw issueToError(file, issue);
  const root = parseTree(body);
  if (root?.type !== 'object') {
    throw new ConfigFileError(
      file,
      'not-an-object',
      1,
      1,
      'the file is valid JSON but not an object ({...})',
      claudeCodeConsequence(file),
      `Make it an object, e.g. {} , or move it away; then run the command again.`,
    );
  }
}

export function issueToError(file: string, issue: StrictIssue): ConfigFileError {
  const fix =
    issue.problem === 'comment'
      ? `Remove the comment at line ${issue.line}, column ${issue.column} of ${file} (JSON allows none), then run the command again.`
      : issue.problem === 'trailing-comma'
        ? `Remove the comma at line ${issue.line}, column ${issue.column} of ${file}, then run the command again.`
        : `Fix the JSON at line ${issue.line}, column ${issue.column} of ${file} (e.g. check it with: node -e "JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'))" ${JSON.stringify(file)}), then run the command again.`;
  return new ConfigFileError(file, issue.problem, issue.line, issue.column, `found ${issue.what}`, claudeCodeConsequence(file), fix);
}

/**
 * A JSON document being edited. Each operation re-parses, so paths stay valid between edits.
 * The text it returns keeps the file's BOM, line endings, indentation, key order and final newline.
 */
export class JsonDoc {
  private body: string;
  private root: Node;
  readonly format: JsonFormat;
  private readonly wasEmpty: boolean;
  private readonly originalRaw: string;

  constructor(
    readonly file: string,
    raw: string,
  ) {
    checkStrict(file, raw);
    this.originalRaw = raw;
    this.format = detectFormat(raw);
    const body = this.format.bom ? raw.slice(1) : raw;
    this.wasEmpty = body.trim() === '';
    this.body = this.wasEmpty ? '{}' : body;
    this.root = this.parse();
  }

  private parse(): Node {
    const root = parseTree(this.body);
    if (!root || root.type !== 'object') throw new Error(`internal: ${this.file} stopped being a JSON object after an edit`);
    return root;
  }

  /** The whole file text now. An untouched empty file stays exactly as it was. */
  text(): string {
    if (this.wasEmpty && this.body === '{}') return this.originalRaw;
    const body = this.wasEmpty ? `${this.body}${this.format.eol}` : this.body;
    return (this.format.bom ? BOM : '') + body;
  }

  /** Is the document an empty object now? */
  isEmptyObject(): boolean {
    return (this.root.children?.length ?? 0) === 0;
  }

  node(path: JSONPath): Node | undefined {
    return path.length === 0 ? this.root : findNodeAtLocation(this.root, path);
  }

  get(path: JSONPath): unknown {
    const n = this.node(path);
    return n ? getNodeValue(n) : undefined;
  }

  has(path: JSONPath): boolean {
    return this.node(path) !== undefined;
  }

  private apply(edit: Edit): void {
    this.body = applyEdits(this.body, [edit]);
    this.root = this.parse();
  }

  /** Set `path` (its parent must be an object) to `value`: replace the value, or append the key. */
  set(path: JSONPath, value: unknown): void {
    const key = path[path.length - 1];
    if (typeof key !== 'string') throw new Error('internal: set() needs an object key');
    const parent = this.node(path.slice(0, -1));
    if (!parent || parent.type !== 'object') throw new Error(`internal: no object at ${JSON.stringify(path.slice(0, -1))}`);
    const existing = this.node(path);
    if (existing) {
      const indent = this.lineIndent(existing.parent?.offset ?? existing.offset);
      this.apply({ offset: existing.offset, length: existing.length, content: this.stringify(value, indent, this.isInline(parent)) });
      return;
    }
    const member = `${JSON.stringify(key)}${this.isInline(parent) ? this.inlineColon(parent) : this.format.colon}`;
    this.insertMember(parent, member, value);
  }

  /** Append `value` to the array at `path`. */
  append(path: JSONPath, value: unknown): void {
    const arr = this.node(path);
    if (!arr || arr.type !== 'array') throw new Error(`internal: no array at ${JSON.stringify(path)}`);
    this.insertMember(arr, '', value);
  }

  /** Remove an object key or an array item: the exact inverse of `set`-as-append or `append`. */
  remove(path: JSONPath): void {
    const target = this.node(path);
    if (!target) return;
    const member = target.parent?.type === 'property' ? target.parent : target;
    const container = member.parent;
    if (!container) throw new Error('internal: cannot remove the root');
    const siblings = container.children ?? [];
    const i = siblings.indexOf(member);
    if (siblings.length === 1) {
      this.apply({ offset: container.offset + 1, length: container.length - 2, content: '' });
    } else if (i > 0) {
      const prev = siblings[i - 1]!;
      const start = prev.offset + prev.length;
      this.apply({ offset: start, length: member.offset + member.length - start, content: '' });
    } else {
      const next = siblings[1]!;
      this.apply({ offset: member.offset, length: next.offset - member.offset, content: '' });
    }
  }

  private insertMember(container: Node, prefix: string, value: unknown): void {
    const children = container.children ?? [];
    const inline = this.isInline(container);
    const last = children[children.length - 1];
    if (last) {
      const at = last.offset + last.length;
      if (inline) {
        this.apply({ offset: at, length: 0, content: `${this.inlineComma(container)}${prefix}${this.stringify(value, '', true)}` });
      } else {
        const indent = this.lineIndent(last.offset);
        this.apply({ offset: at, length: 0, content: `,${this.format.eol}${indent}${prefix}${this.stringify(value, indent, false)}` });
      }
      return;
    }
    // An empty container: replace whatever is between the brackets.
    const inner = { offset: container.offset + 1, length: container.length - 2 };
    if (inline && this.format.oneLine) {
      this.apply({ ...inner, content: `${prefix}${this.stringify(value, '', true)}` });
    } else {
      const outer = this.lineIndent(container.offset);
      const indent = outer + this.format.unit;
      this.apply({ ...inner, content: `${this.format.eol}${indent}${prefix}${this.stringify(value, indent, false)}${this.format.eol}${outer}` });
    }
  }

  private isInline(container: Node): boolean {
    if (this.format.oneLine) return true;
    if ((container.children?.length ?? 0) === 0) return false;
    return !this.body.slice(container.offset, container.offset + container.length).includes('\n');
  }

  /** The separator between members of a one-line container, copied from it (', ' or ','). */
  private inlineComma(container: Node): string {
    const [a, b] = container.children ?? [];
    if (a && b) return this.body.slice(a.offset + a.length, b.offset);
    const sample = /,( ?)["{[\dtfn-]/.exec(this.body);
    return sample ? `,${sample[1] ?? ''}` : ',';
  }

  private inlineColon(container: Node): string {
    const first = container.children?.[0];
    const key = first?.children?.[0];
    const val = first?.children?.[1];
    if (key && val) return this.body.slice(key.offset + key.length, val.offset);
    return /"(\s*:\s*)/.exec(this.body)?.[1] ?? ':';
  }

  /** The leading whitespace of the line that holds `offset`. */
  private lineIndent(offset: number): string {
    const lineStart = this.body.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*/.exec(this.body.slice(lineStart, offset + 1))?.[0] ?? '';
  }

  private stringify(value: unknown, indent: string, inline: boolean): string {
    if (inline) {
      const comma = this.format.oneLine ? this.inlineComma(this.root) : ', ';
      const colon = this.format.oneLine ? this.inlineColon(this.root) : ': ';
      return compact(value, comma, colon);
    }
    return JSON.stringify(value, null, this.format.unit).split('\n').join(this.format.eol + indent);
  }
}

function compact(value: unknown, comma: string, colon: string): string {
  if (Array.isArray(value)) return `[${value.map((v) => compact(v, comma, colon)).join(comma)}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}${colon}${compact(v, comma, colon)}`)
      .join(comma)}}`;
  }
  return JSON.stringify(value);
}

/** Structural equality for JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
