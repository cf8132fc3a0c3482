import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/install/diff.js';
import { Recognizer } from '../../../src/install/targets.js';

describe('unifiedDiff', () => {
  it('shows only the changed lines with three lines of context and correct hunk headers', () => {
    const a = ['{', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4,', '  "e": 5,', '  "f": 6', '}', ''].join('\n');
    const b = a.replace('"d": 4', '"d": 40');
    expect(unifiedDiff('/x', a, b)).toBe(['--- a/x', '+++ b/x', '@@ -2,7 +2,7 @@', '   "a": 1,', '   "b": 2,', '   "c": 3,', '-  "d": 4,', '+  "d": 40,', '   "e": 5,', '   "f": 6', ' }', ''].join('\n'));
  });

  it('shows a created and a deleted file against /dev/null', () => {
    expect(unifiedDiff('/x', null, 'a\nb\n')).toBe('--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('/x', 'a\n', null)).toBe('--- a/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n');
  });

  it('is empty when nothing changes, and reads CRLF files as lines', () => {
    expect(unifiedDiff('/x', 'a', 'a')).toBe('');
    expect(unifiedDiff('/x', 'a\r\nb\r\n', 'a\r\nc\r\n')).toBe('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('/x', '{}', '{\n  "a": 1\n}')).toContain('\\ No newline at end of file');
  });

  it('separates distant changes into hunks', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `l${i}`);
    const b = [...lines];
    b[2] = 'X';
    b[30] = 'Y';
    const d = unifiedDiff('/x', `${lines.join('\n')}\n`, `${b.join('\n')}\n`);
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain('@@ -28,7 +28,7 @@');
  });
});

describe('Recognizer', () => {
  const rec = new Recognizer(['/opt/ic/app/']);
  it('knows our hook commands, old and new, and the prototype', () => {
    expect(rec.isOurCommand('/usr/bin/node /opt/ic/app/0.1.0/dist/cli.js hook')).toBe(true);
    expect(rec.isOurCommand('/usr/bin/node /opt/ic/app/0.3.0/dist/hook.cjs watch')).toBe(true);
    expect(rec.isOurCommand("'/my node' '/home/a/.claude-intercom/app/0.2.0/dist/cli.js' watch")).toBe(true);
    expect(rec.isOurCommand('npx -y claude-intercom hook')).toBe(true);
    expect(rec.isOurCommand('npx claude-intercom@latest watch --idle')).toBe(true);
  });
  it('leaves other people’s commands alone, even ones that mention the name', () => {
    expect(rec.isOurCommand('log-tool')).toBe(false);
    expect(rec.isOurCommand('/home/me/src/claude-intercom/scripts/lint.sh')).toBe(false);
    expect(rec.isOurCommand('git -C ~/claude-intercom status')).toBe(false);
  });
  it('knows our MCP entries', () => {
    expect(rec.isOurMcpEntry({ command: 'npx', args: ['-y', 'claude-intercom', 'serve'] })).toBe(true);
    expect(rec.isOurMcpEntry({ command: '/usr/bin/node', args: ['/opt/ic/app/0.1.0/dist/cli.js', 'serve'] })).toBe(true);
    expect(rec.isOurMcpEntry({ command: 'intercom-server' })).toBe(false);
  });
});

describe('shellWords (how doctor reads a hook command)', () => {
  it('splits like sh: single and double quotes, backslashes', async () => {
    const { shellWords } = await import('../../../src/doctor/configs.js');
    const { hookCommand } = await import('../../../src/claude/hook-spec.js');
    const all = shellWords(hookCommand('/opt/my node/node', "/h/it's here/app/0.1.0/dist/cli.js", 'watch'));
    expect(all[0]).toBe('exec');
    const words = all.slice(1);
    expect(words).toHaveLength(3);
    expect(words[0]).toBe('/opt/my node/node');
    expect(words[1]!.startsWith("/h/it's here/app/0.1.0/dist/")).toBe(true);
    expect(words[2]).toBe('watch');
    expect(shellWords('a "b c" d\\ e \'f\'g')).toEqual(['a', 'b c', 'd e', 'fg']);
    expect(shellWords('  npx  -y claude-intercom hook ')).toEqual(['npx', '-y', 'claude-intercom', 'hook']);
  });
});
