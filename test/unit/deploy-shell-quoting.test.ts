import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandHookTemplate } from '../../src/deploy/expand-hook-template.ts';
import { quoteShellArg, shellCommand, shScript } from '../../src/deploy/quote-shell-arg.ts';

/** What /bin/sh makes of a command line: its words, NUL-separated. */
function wordsAfterShell(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  it('when any strings are quoted, then the shell gives back exactly those words', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom(...'a-z;|&$`\'"\\ \t\n*?[]{}()<>#~!=%/.'.split('')), maxLength: 12 }), { minLength: 1, maxLength: 4 }), (words) => {
        expect(wordsAfterShell(words.map(quoteShellArg).join(' '))).toEqual(words);
      }),
      { numRuns: 60 },
    );
  });

  it('when a value is plain, then it is left readable', () => {
    expect(quoteShellArg('/data/codes/mala-core/v1-20261121093005-0123456')).toBe('/data/codes/mala-core/v1-20261121093005-0123456');
    expect(quoteShellArg('')).toBe("''");
    expect(quoteShellArg("v1;touch /tmp/x")).toBe("'v1;touch /tmp/x'");
    expect(quoteShellArg("it's")).toBe("'it'\\''s'");
  });

  it('when a fixed script gets values, then they arrive as positional parameters', () => {
    const line = shellCommand(shScript('printf "%s|" "$1" "$2"', 'a b', '$(touch /nonexistent/x)'));
    expect(execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' })).toBe('a b|$(touch /nonexistent/x)|');
  });
});

describe('hook templates', () => {
  it('when a template names placeholders, then they are replaced by quoted values', () => {
    expect(expandHookTemplate('svc -t /service/{project} && echo {version}', { project: 'mala-core', version: 'v1;rm -rf /' })).toBe(
      "svc -t /service/mala-core && echo 'v1;rm -rf /'",
    );
    expect(expandHookTemplate('echo "v={version}"', { version: 'v1$(id)' })).toBe('echo "v=v1\\$(id)"');
  });

  it('when the text has shell ${VAR} or unknown {names}, then they are left alone', () => {
    expect(expandHookTemplate('echo ${HOME} {unknown} $VERSION {host}', { host: 'br-1' })).toBe('echo ${HOME} {unknown} $VERSION br-1');
  });

  it('when a value lands unquoted, in "…", in \'…\' or in $(…), then the shell sees exactly the value', () => {
    // command substitution drops trailing newlines: that is the shell, not the quoting
    const same = (v: string) => v;
    const substituted = (v: string) => v.replace(/\n+$/, '');
    const contexts: [string, (v: string) => string][] = [
      ['printf %s {v}', same],
      ['printf %s "{v}"', same],
      ['printf %s "x{v}y"', (v) => `x${v}y`],
      ["printf %s 'x{v}y'", (v) => `x${v}y`],
      ['printf %s ${NOPE:-}{v}', same],
      ['printf %s "$(printf %s {v})"', substituted],
      ['printf %s "$(printf %s "{v}")"', substituted],
      ['x=`printf %s {v}`; printf %s "$x"', substituted],
      ['x=`printf %s "{v}"`; printf %s "$x"', substituted],
      ['printf %s "`printf %s {v}`"', substituted],
    ];
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab ;|&$`\'"\\(){}*?#\n'.split('')), minLength: 1, maxLength: 10 }), (v) => {
        for (const [template, expected] of contexts) {
          const script = expandHookTemplate(template, { v });
          expect(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }), `${template} → ${script}`).toBe(expected(v));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('when a placeholder has no value, then it stays as written', () => {
    expect(expandHookTemplate('echo {host}', { host: undefined })).toBe('echo {host}');
  });
});
