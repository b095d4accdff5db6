import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../config/load-config.ts';
import type { Command } from '../../src/core/command-types.ts';
import { MAX_LINE_LENGTH, parseCommand } from '../../src/core/parse-command.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const commands = projectCommands();

function exampleConfig(): Config {
  const loaded = loadConfig(fileURLToPath(new URL('../../config/deploybot.example.yaml', import.meta.url)));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}
const config = exampleConfig();

function parsed(line: string): Command {
  const result = parseCommand(commands, line, config);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(line)} to parse, got: ${result.error}`);
  return result.command;
}

/** Refused with a one-line error naming every `named` word, and the usage of `verb`. */
function refused(line: string, verb: string | undefined, ...named: string[]): string {
  const result = parseCommand(commands, line, config);
  expect(result.ok, `expected ${JSON.stringify(line)} to be refused`).toBe(false);
  if (result.ok) return '';
  expect(result.error).not.toMatch(/[\r\n\u2028\u2029]/);
  for (const word of named) expect(result.error).toContain(word);
  if (verb) expect(result.usage).toMatch(new RegExp(`(^|\\n)usage: ${verb}( |$)`, 'm'));
  return result.error;
}

describe('parseCommand: every verb', () => {
  it.each<[string, Command]>([
    ['deploy mala-core brazil v1.3', { verb: 'deploy', project: 'mala-core', market: 'brazil', ref: 'v1.3', dryRun: false }],
    ['deploy mala-core brazil v1.3 --hosts br-1,br-2 --dry-run', { verb: 'deploy', project: 'mala-core', market: 'brazil', ref: 'v1.3', hosts: ['br-1', 'br-2'], dryRun: true }],
    ['deploy --dry-run mala-core brazil release/2026.11', { verb: 'deploy', project: 'mala-core', market: 'brazil', ref: 'release/2026.11', dryRun: true }],
    ['deploy mala-core brazil 0a1b2c3d --hosts=br-gray', { verb: 'deploy', project: 'mala-core', market: 'brazil', ref: '0a1b2c3d', hosts: ['br-gray'], dryRun: false }],
    ['gray start mala-core brazil v1.4', { verb: 'gray start', project: 'mala-core', market: 'brazil', ref: 'v1.4' }],
    ['gray cancel mala-core india', { verb: 'gray cancel', project: 'mala-core', market: 'india' }],
    ['gray promote mala-core brazil', { verb: 'gray promote', project: 'mala-core', market: 'brazil' }],
    ['review start mala-core brazil appstore v1.5', { verb: 'review start', project: 'mala-core', market: 'brazil', channel: 'appstore', ref: 'v1.5' }],
    ['review cancel mala-client idn appstore', { verb: 'review cancel', project: 'mala-client', market: 'idn', channel: 'appstore' }],
    ['review promote mala-core brazil googleplay', { verb: 'review promote', project: 'mala-core', market: 'brazil', channel: 'googleplay' }],
    ['rollback mala-core brazil', { verb: 'rollback', project: 'mala-core', market: 'brazil' }],
    ['rollback mala-core brazil d-20261121-0042', { verb: 'rollback', project: 'mala-core', market: 'brazil', deployId: 'd-20261121-0042' }],
    ['approve d-20261121-0042', { verb: 'approve', deployId: 'd-20261121-0042' }],
    ['reject d-20261121-0042', { verb: 'reject', deployId: 'd-20261121-0042' }],
    ['reject d-20261121-0042 not   during the match; wait', { verb: 'reject', deployId: 'd-20261121-0042', reason: 'not during the match; wait' }],
    ['retry d-20261121-10042', { verb: 'retry', deployId: 'd-20261121-10042' }],
    ['cancel d-20261121-0001', { verb: 'cancel', deployId: 'd-20261121-0001', force: false }],
    ['cancel d-20261121-0001 --force', { verb: 'cancel', deployId: 'd-20261121-0001', force: true }],
    ['status mala-core', { verb: 'status', project: 'mala-core' }],
    ['status mala-core brazil', { verb: 'status', project: 'mala-core', market: 'brazil' }],
    ['history mala-core brazil', { verb: 'history', project: 'mala-core', market: 'brazil', limit: 10 }],
    ['history mala-core brazil 25', { verb: 'history', project: 'mala-core', market: 'brazil', limit: 25 }],
    ['history mala-core brazil 100', { verb: 'history', project: 'mala-core', market: 'brazil', limit: 100 }],
    ['lock mala-core brazil release freeze -- ask bob', { verb: 'lock', project: 'mala-core', market: 'brazil', reason: 'release freeze -- ask bob' }],
    ['unlock mala-core brazil', { verb: 'unlock', project: 'mala-core', market: 'brazil' }],
    ['lock mala-core brazil --for 2h store review', { verb: 'lock', project: 'mala-core', market: 'brazil', reason: 'store review', forMs: 7_200_000 }],
    ['lock mala-core brazil store review --for 90m', { verb: 'lock', project: 'mala-core', market: 'brazil', reason: 'store review', forMs: 5_400_000 }],
    ['lock mala-core brazil --for=3d -- ask bob', { verb: 'lock', project: 'mala-core', market: 'brazil', reason: '-- ask bob', forMs: 3 * 86_400_000 }],
    ['help', { verb: 'help' }],
    ['help deploy', { verb: 'help', topic: 'deploy' }],
    ['help  Gray   Start', { verb: 'help', topic: 'gray start' }],
  ])('when %j is typed, then it parses', (line, command) => {
    expect(parsed(line)).toEqual(command);
  });
});

describe('parseCommand: the line around the words', () => {
  it('when the line starts with "/", then the slash is dropped', () => {
    expect(parsed('/deploy mala-core brazil v1.3')).toEqual(parsed('deploy mala-core brazil v1.3'));
    expect(parsed('/gray start mala-core brazil v1')).toMatchObject({ verb: 'gray start', ref: 'v1' });
    expect(parsed('  / help')).toEqual({ verb: 'help' });
  });

  it('when there are surrounding spaces, tabs, newlines or runs of them, then they do not matter', () => {
    expect(parsed(' \t deploy \t mala-core   brazil\u00a0 v1.3 \n')).toEqual({ verb: 'deploy', project: 'mala-core', market: 'brazil', ref: 'v1.3', dryRun: false });
  });

  it('when verbs and flags are typed in upper case, then they still match; arguments stay exact', () => {
    expect(parsed('DEPLOY mala-core brazil V1.3 --DRY-RUN')).toMatchObject({ verb: 'deploy', ref: 'V1.3', dryRun: true });
    expect(parsed('Gray Promote mala-core brazil').verb).toBe('gray promote');
    refused('deploy MALA-CORE brazil v1', 'deploy', '"MALA-CORE"', 'did you mean "mala-core"');
  });

  it('when a non-ASCII letter folds to an ASCII one (Kelvin sign), then it is not a verb', () => {
    refused('loc\u212a mala-core brazil x', undefined, 'unknown command');
  });

  it('when a chat client turned "--" into a dash, then the flag is still read', () => {
    expect(parsed('deploy mala-core brazil v1 \u2014dry-run')).toMatchObject({ dryRun: true });
    expect(parsed('deploy mala-core brazil v1 \u2013hosts br-1')).toMatchObject({ hosts: ['br-1'] });
  });

  it('when --hosts is split after a comma, then the list continues', () => {
    expect(parsed('deploy mala-core brazil v1 --hosts br-1, br-2')).toMatchObject({ hosts: ['br-1', 'br-2'], ref: 'v1' });
  });

  it('when a reason spans lines or holds control characters, then it is kept as one clean line', () => {
    expect(parsed('lock mala-core brazil freeze\nuntil\u0000 monday\u202e')).toMatchObject({ reason: 'freeze until monday' });
  });

  it('when the line is empty or only a slash, then it is refused', () => {
    expect(parseCommand(commands, '', config)).toEqual({ ok: false, error: 'empty command; try help' });
    expect(parseCommand(commands, '  /  ', config)).toMatchObject({ ok: false, error: 'empty command; try help' });
  });

  it('when the line is very long, then it is refused before it is read', () => {
    refused(`deploy mala-core brazil ${'a'.repeat(MAX_LINE_LENGTH)}`, undefined, 'too long');
  });
});

describe('parseCommand: refusals', () => {
  it('when the verb is unknown, then the error names it and lists the verbs', () => {
    const error = refused('depoly mala-core brazil v1', undefined, 'unknown command "depoly"', 'try help', 'deploy', 'gray', 'review', 'lock');
    expect(error).toContain('help');
  });

  it('when a verb group lacks or mistypes its second word, then the error says so with the group usage', () => {
    expect(refused('gray', 'gray start', '"gray"', 'start', 'cancel', 'promote')).toBeTruthy();
    refused('review stop mala-core brazil appstore', 'review start', '"stop"', 'review start');
    refused('gray mala-core brazil v1', 'gray promote', '"mala-core"');
  });

  it('when an argument is missing, then the error names it', () => {
    refused('deploy mala-core brazil', 'deploy', '<ref>');
    refused('deploy', 'deploy', '<project>');
    refused('review start mala-core brazil appstore', 'review start', '<ref>');
    refused('approve', 'approve', '<deploy-id>');
    refused('lock mala-core brazil', 'lock', '<reason…>');
    refused('lock mala-core brazil --for 2h', 'lock', '<reason…>');
    refused('lock mala-core brazil --for 2 why', 'lock', '--for needs a duration from 1m to 30d', '"2"');
    refused('lock mala-core brazil why --for 31d', 'lock', '--for needs a duration', '"31d"');
    refused('lock mala-core brazil --for 2h why --for 3h', 'lock', '--for is given twice');
    refused('lock mala-core brazil \u0001 \u0002', 'lock', '<reason…>');
    refused('status', 'status', '<project>');
  });

  it('when there are extra positional arguments, then the first extra is named', () => {
    refused('deploy mala-core brazil v1 v2', 'deploy', 'unexpected argument "v2"');
    refused('gray cancel mala-core brazil now', 'gray cancel', '"now"');
    refused('approve d-20261121-0042 d-20261121-0043', 'approve', '"d-20261121-0043"');
    refused('status mala-core brazil extra', 'status', '"extra"');
    refused('history mala-core brazil 5 6', 'history', '"6"');
    refused('deploy mala-core brazil v1\nrm -rf /', 'deploy', '"rm"');
  });

  it('when the project is unknown, then it is named with the known ones', () => {
    refused('deploy nosuch brazil v1', 'deploy', 'unknown project "nosuch"', 'mala-core', 'mala-client', 'api');
    refused('status constructor', 'status', 'unknown project "constructor"');
    refused('status __proto__', 'status', 'unknown project "__proto__"');
  });

  it('when the market is unknown, then it is named', () => {
    refused('deploy mala-core mars v1', 'deploy', 'unknown market "mars"', 'brazil');
    refused('history mala-core hasOwnProperty', 'history', 'unknown market "hasOwnProperty"');
  });

  it('when the project is not enabled in the market, then both are named', () => {
    refused('deploy api brazil v1', 'deploy', '"api"', '"brazil"', 'not enabled', 'dev, india');
    refused('status api idn', 'status', '"api"', '"idn"');
  });

  it('when a gray verb names a market without gray hosts, then it is refused naming the market', () => {
    for (const verb of ['gray start mala-core idn v1', 'gray cancel mala-core idn', 'gray promote mala-core dev']) {
      refused(verb, verb.split(' ').slice(0, 2).join(' '), 'no gray hosts');
    }
    refused('gray start mala-core idn v1', 'gray start', '"idn"');
  });

  it('when --platforms names platforms of the market, then deploy and gray start carry them; otherwise it is refused naming the platform', () => {
    expect(parsed('deploy mala-core idn v1.3 --platforms iqq,iwx')).toEqual({ verb: 'deploy', project: 'mala-core', market: 'idn', ref: 'v1.3', platforms: ['iqq', 'iwx'], dryRun: false });
    expect(parsed('deploy mala-core idn v1.3 --platforms=aqq, awx')).toMatchObject({ platforms: ['aqq', 'awx'] });
    expect(parsed('deploy mala-core idn v1.3')).not.toHaveProperty('platforms');
    refused('deploy mala-core idn v1.3 --platforms aqq,xyz', 'deploy', 'unknown platform "xyz"', 'aqq, awx, iqq, iwx');
    refused('deploy mala-core idn v1.3 --platforms aqq,aqq', 'deploy', '"aqq" is named twice');
    refused('deploy mala-core brazil v1.3 --platforms aqq', 'deploy', '"brazil" has no platforms');
    refused('gray start mala-core brazil v1.4 --platforms aqq', 'gray start', '"brazil" has no platforms');
    refused('review start mala-core idn appstore v1.4 --platforms iqq', 'review start', '--platforms');
  });

  it('when the review channel is not a review location of the market, then it is named', () => {
    refused('review start mala-core brazil nosuch v1', 'review start', 'unknown review channel "nosuch"', 'appstore, googleplay');
    refused('review start mala-core brazil main v1', 'review start', '"main" is the production location');
    refused('review cancel mala-core india appstore', 'review cancel', '"india"', '"appstore"', 'no review channels');
    refused('review promote mala-core idn googleplay', 'review promote', '"googleplay"', 'appstore');
  });

  it.each([
    ['v1;rm', '";"'],
    ['v1$(id)', '"$"'],
    ['v1`id`', '"`"'],
    ['v1|sh', '"|"'],
    ['v1&&x', '"&"'],
    ["v1'x", '"\'"'],
    ['v1"x', '"\\""'],
    ['v1>out', '">"'],
    ['tag@{0}', '"@"'],
    ['/etc/passwd', 'start with "/"'],
    ['../../etc', '".."'],
    ['a/../b', '".."'],
    ['a//b', '"//"'],
    ['feature/', 'end with "/"'],
    ['main.lock', '".lock"'],
    ['v1.', 'end with "."'],
    ['.hidden', 'start with "."'],
    ['a/.git', 'start with "."'],
    ['x'.repeat(201), 'longer than 200'],
    ['v1\u00e9', '"\u00e9"'],
    ['v1\u202e', '"\\u202e"'],
  ])('when the ref is %j, then it is refused saying why', (ref, why) => {
    refused(`deploy mala-core brazil ${ref}`, 'deploy', 'ref "', why);
    refused(`gray start mala-core brazil ${ref}`, 'gray start', why);
    refused(`review start mala-core brazil appstore ${ref}`, 'review start', why);
  });

  it('when the ref starts with "-", then it is read as an option and refused', () => {
    refused('deploy mala-core brazil -v1', 'deploy', 'unknown option "-v1"');
    refused('gray start mala-core brazil --upload-pack=evil', 'gray start', '"--upload-pack=evil"');
    refused('review start mala-core brazil appstore -', 'review start', 'ref "-"', 'start with "-"');
  });

  it('when a ref is 200 characters of the charset, then it is accepted', () => {
    expect(parsed(`deploy mala-core brazil ${'a'.repeat(200)}`)).toMatchObject({ ref: 'a'.repeat(200) });
  });

  it.each(['d-2026-0042', 'd-20261121-042', 'D-20261121-0042', '20261121-0042', 'd-20261121-0042x', 'd-2026112a-0042'])(
    'when the deploy id is %j, then it is refused',
    (id) => {
      refused(`approve ${id}`, 'approve', `invalid deploy id ${JSON.stringify(id)}`, 'd-20261121-0042');
      refused(`rollback mala-core brazil ${id}`, 'rollback', JSON.stringify(id));
    },
  );

  it('when --hosts names a host outside the production location, then that host is named', () => {
    refused('deploy mala-core brazil v1 --hosts br-1,in-1', 'deploy', 'host "in-1" is not in the production location', 'br-1, br-2, br-gray');
    refused('deploy mala-core brazil v1 --hosts br-rev', 'deploy', '"br-rev"');
    refused('deploy mala-core brazil v1 --hosts nosuch', 'deploy', 'unknown host "nosuch"');
    refused('deploy mala-core brazil v1 --hosts br-1,br-1', 'deploy', '"br-1"', 'twice');
    refused('deploy mala-core brazil v1 --hosts br-1,,br-2', 'deploy', 'empty host name');
  });

  it('when --hosts has no value, then it is refused', () => {
    refused('deploy mala-core brazil v1 --hosts', 'deploy', '--hosts', 'needs a value');
    refused('deploy mala-core brazil v1 --hosts --dry-run', 'deploy', '--hosts', 'needs a value');
    refused('deploy mala-core brazil v1 --hosts=', 'deploy', '--hosts', 'needs a value');
  });

  it('when a flag is unknown, repeated, given a value it does not take, or on a verb without flags, then it is named', () => {
    refused('deploy mala-core brazil v1 --force', 'deploy', 'unknown flag "--force"', '--hosts', '--dry-run');
    refused('deploy mala-core brazil v1 -f', 'deploy', 'unknown option "-f"');
    refused('deploy mala-core brazil v1 --dry-run --dry-run', 'deploy', '--dry-run', 'twice');
    refused('deploy mala-core brazil v1 --hosts br-1 --hosts br-2', 'deploy', '--hosts', 'twice');
    refused('deploy mala-core brazil v1 --dry-run=false', 'deploy', '--dry-run', 'takes no value');
    refused('gray start mala-core brazil v1 --dry-run', 'gray start', '"--dry-run"', 'gray start takes --at when');
    refused('gray cancel mala-core brazil --dry-run', 'gray cancel', '"--dry-run"', 'gray cancel takes no flags');
    refused('review start mala-core brazil appstore v1 --dry-run', 'review start', '"--dry-run"', 'review start takes no flags');
    refused('status mala-core --hosts br-1', 'status', '"--hosts"', 'no flags');
  });

  it('when the history count is not a whole number from 1 to 100, then it is named', () => {
    for (const n of ['0', '101', '-1', '1.5', 'ten', '99999999999999999999', '+5']) {
      refused(`history mala-core brazil ${n}`, 'history', JSON.stringify(n));
    }
  });

  it('when a reason is longer than 500 characters, then it is refused', () => {
    refused(`lock mala-core brazil ${'x'.repeat(501)}`, 'lock', 'longer than 500');
  });

  it('when an offending word holds control characters, then the error stays one line with them escaped', () => {
    const error = refused('deploy no\u0085such\u200b brazil v1', 'deploy', '\\u0085');
    expect(error).toContain('unknown project "no\\u0085such\\u200b"');
  });

  it('when the text is not a string at all, then it is refused instead of throwing', () => {
    expect(parseCommand(commands, undefined as unknown as string, config).ok).toBe(false);
    expect(parseCommand(commands, 42 as unknown as string, config).ok).toBe(false);
  });
});

describe('--at and freeze', () => {
  it('when --at is given in one of its forms, then it is kept as typed for the market\'s clocks; other forms are refused naming them', () => {
    expect(parsed('deploy mala-core brazil v1.3 --at 2026-12-02T03:00+08:00')).toMatchObject({ verb: 'deploy', at: '2026-12-02T03:00+08:00' });
    expect(parsed('gray start mala-core brazil v1.3 --at 03:00')).toMatchObject({ verb: 'gray start', at: '03:00' });
    expect(parsed('gray promote mala-core brazil --at=next-window')).toMatchObject({ verb: 'gray promote', at: 'next-window' });
    expect(parsed('deploy mala-core brazil v1.3')).not.toHaveProperty('at');
    refused('deploy mala-core brazil v1.3 --at 2026-12-02T03:00', 'deploy', '2026-12-02T03:00', 'offset');
    refused('deploy mala-core brazil v1.3 --at 25:00', 'deploy', '25:00');
    refused('gray cancel mala-core brazil --at 03:00', 'gray cancel', '--at');
  });

  it('when freeze names a market or all, an end and a reason, then it parses; an unknown market or an unreadable end is refused', () => {
    expect(parsed('freeze brazil 2h payment provider incident')).toEqual({ verb: 'freeze', market: 'brazil', until: '2h', reason: 'payment provider incident' });
    expect(parsed('freeze all 2026-12-27T00:00+08:00 holidays')).toEqual({ verb: 'freeze', market: 'all', until: '2026-12-27T00:00+08:00', reason: 'holidays' });
    expect(parsed('unfreeze all')).toEqual({ verb: 'unfreeze', market: 'all' });
    refused('freeze mars 2h x', 'freeze', 'mars');
    refused('freeze brazil soon x', 'freeze', 'soon');
    refused('freeze brazil 2h', 'freeze', 'reason');
  });
});

