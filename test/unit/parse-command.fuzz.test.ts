// Fuzzing the grammar: random lines and mutations of valid ones (14 600 in all) must
// never make parseCommand throw; whatever it accepts obeys the rules, whatever it refuses
// is refused in one line.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../config/load-config.ts';
import type { Command, ParseResult } from '../../src/core/command-types.ts';
import { parseCommand } from '../../src/core/parse-command.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const commands = projectCommands();

const loaded = loadConfig(fileURLToPath(new URL('../../config/deploybot.example.yaml', import.meta.url)));
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const config: Config = loaded.config;

// ---- the world of the example config --------------------------------------------------

const projects = Object.keys(config.projects);
const markets = Object.keys(config.markets);
const production = (market: string) => Object.values(config.markets[market]!.locations).find((l) => l.role === 'production')!;
const reviewChannelsOf = (market: string) => Object.entries(config.markets[market]!.locations).filter(([, l]) => l.role === 'review').map(([n]) => n);
const pairs = projects.flatMap((project) => config.projects[project]!.markets.map((market) => ({ project, market })));
const grayPairs = pairs.filter(({ market }) => production(market).grayHosts.length > 0);
const reviewTriples = pairs.flatMap((pair) => reviewChannelsOf(pair.market).map((channel) => ({ ...pair, channel })));
const SHELL_META = [...';|&$()`\'"<>*?[]{}!#~\\%^'];
const JUNK_CHARS = [...SHELL_META, '\n', '\r', '\t', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u200b', '\u2028', '\u2029', '\u202e', '\ufeff', '\ud800', '😀', 'é', '/', '-', '.', ',', '='];

// ---- the rules every accepted command obeys (written independently of the parser) ------

const REF = /^[A-Za-z0-9._/-]{1,200}$/;
function refIsSafe(ref: string): boolean {
  return REF.test(ref) && !/^[-/]/.test(ref) && !ref.includes('..') && !ref.includes('//') && !ref.endsWith('/') && !ref.endsWith('.lock');
}
const DEPLOY_ID = /^d-\d{8}-\d{4,}$/;
const FIELDS: Record<Command['verb'], string[]> = {
  deploy: ['project', 'market', 'ref', 'hosts', 'dryRun', 'at'],
  'gray start': ['project', 'market', 'ref', 'at'],
  'gray cancel': ['project', 'market'],
  'gray promote': ['project', 'market', 'at'],
  'review start': ['project', 'market', 'channel', 'ref'],
  'review cancel': ['project', 'market', 'channel'],
  'review promote': ['project', 'market', 'channel', 'at'],
  rollback: ['project', 'market', 'deployId'],
  approve: ['deployId'],
  reject: ['deployId', 'reason'],
  retry: ['deployId'],
  cancel: ['deployId', 'force'],
  pause: ['deployId'],
  resume: ['deployId'],
  abort: ['deployId'],
  status: ['project', 'market'],
  history: ['project', 'market', 'limit'],
  lock: ['project', 'market', 'reason'],
  unlock: ['project', 'market'],
  build: ['project', 'ref'],
  sync: ['project', 'market', 'hosts', 'dryRun'],
  stats: ['project', 'market', 'days'],
  help: ['topic'],
  freeze: ['market', 'until', 'reason'],
  unfreeze: ['market'],
};

function expectObeysRules(line: string, result: ParseResult): void {
  const where = `for ${JSON.stringify(line)} → ${JSON.stringify(result)}`;
  if (!result.ok) {
    expect(typeof result.error, where).toBe('string');
    expect(result.error.length, where).toBeGreaterThan(0);
    expect(result.error, where).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
    if (result.usage !== undefined) expect(result.usage.split('\n').every((l) => l.startsWith('usage: ')), where).toBe(true);
    return;
  }
  // Read as a plain record, so the types of the values are checked at run time too.
  const c = result.command as unknown as Record<string, unknown>;
  const verb = c.verb as Command['verb'];
  expect(Object.keys(FIELDS), where).toContain(verb);
  for (const key of Object.keys(c)) if (key !== 'verb') expect(FIELDS[verb], where).toContain(key);
  for (const key of FIELDS[verb]) if (c[key] === undefined) expect(['hosts', 'deployId', 'reason', 'topic', 'market', 'at'], where).toContain(key);
  const text = (key: string) => (typeof c[key] === 'string' ? (c[key] as string) : undefined);
  const project = text('project');
  const market = text('market');
  if ('project' in c) expect(project !== undefined && Object.hasOwn(config.projects, project), where).toBe(true);
  if (verb === 'freeze' || verb === 'unfreeze') {
    // a market of the config or all, no project (docs/scheduling.md#freezes)
    expect(market === 'all' || Object.hasOwn(config.markets, market!), where).toBe(true);
  } else if (market !== undefined) {
    expect(Object.hasOwn(config.markets, market), where).toBe(true);
    expect(config.projects[project!]!.markets, where).toContain(market);
  } else expect(['approve', 'reject', 'retry', 'cancel', 'status', 'help'], where).toContain(verb);
  if ('ref' in c) expect(refIsSafe(text('ref') ?? ''), where).toBe(true);
  if (c.deployId !== undefined) expect(text('deployId'), where).toMatch(DEPLOY_ID);
  if ('channel' in c) expect(reviewChannelsOf(market!), where).toContain(c.channel);
  if (verb.startsWith('gray ')) expect(production(market!).grayHosts.length, where).toBeGreaterThan(0);
  if (verb === 'cancel') expect(typeof c.force, where).toBe('boolean');
  if (c.at !== undefined) expect(text('at'), where).toMatch(/^(next-window|\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))$/);
  if (verb === 'deploy') {
    expect(typeof c.dryRun, where).toBe('boolean');
    if (c.hosts !== undefined) {
      const hosts = c.hosts as string[];
      expect(Array.isArray(hosts) && hosts.length > 0, where).toBe(true);
      expect(new Set(hosts).size, where).toBe(hosts.length);
      for (const host of hosts) expect(production(market!).hosts, where).toContain(host);
    }
  }
  if (verb === 'history') expect(Number.isInteger(c.limit) && (c.limit as number) >= 1 && (c.limit as number) <= 100, where).toBe(true);
  if (c.reason !== undefined || verb === 'lock') {
    const reason = text('reason') ?? '';
    expect(reason.length, where).toBeGreaterThan(0);
    expect(reason.length, where).toBeLessThanOrEqual(500);
    expect(reason, where).not.toMatch(/[\p{Cc}\u2028\u2029\u202a-\u202e]/u);
    expect(reason, where).toBe(reason.trim());
  }
  if (c.topic !== undefined) expect(typeof c.topic === 'string' && c.topic !== '', where).toBe(true);
}

function check(line: string): ParseResult {
  let result: ParseResult | undefined;
  expect(() => {
    result = parseCommand(commands, line, config);
  }, JSON.stringify(line)).not.toThrow();
  expectObeysRules(line, result!);
  return result!;
}

// ---- generators -----------------------------------------------------------------------

const ref = fc.oneof(
  fc.constantFrom('v1.3', 'main', 'release/2026.11', '0a1b2c3d', 'feature/x-y_z', 'HEAD', 'v2.0.0-rc.1'),
  fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `v${a}.${b}`),
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,12}(\/[A-Za-z0-9_][A-Za-z0-9_-]{0,8})?$/),
);
const deployId = fc.tuple(fc.integer({ min: 20200101, max: 20991231 }), fc.integer({ min: 1, max: 99999 })).map(([d, n]) => `d-${d}-${String(n).padStart(4, '0')}`);
const reasonWords = fc.array(fc.constantFrom('release', 'freeze', 'ask', 'bob', '--', 'until', 'monday', 'incident#42', '⚠️'), { minLength: 1, maxLength: 6 });
const pair = fc.constantFrom(...pairs);

/** Valid command lines as word lists. */
const validWords: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(pair, ref, fc.boolean()).chain(([p, r, dry]) =>
    fc.subarray(production(p.market).hosts, { minLength: 0 }).map((hosts) => [
      'deploy', p.project, p.market, r, ...(hosts.length > 0 ? ['--hosts', hosts.join(',')] : []), ...(dry ? ['--dry-run'] : []),
    ]),
  ),
  fc.tuple(fc.constantFrom(...grayPairs), ref).map(([p, r]) => ['gray', 'start', p.project, p.market, r]),
  fc.tuple(fc.constantFrom(...grayPairs), fc.constantFrom('cancel', 'promote')).map(([p, sub]) => ['gray', sub, p.project, p.market]),
  fc.tuple(fc.constantFrom(...reviewTriples), ref).map(([t, r]) => ['review', 'start', t.project, t.market, t.channel, r]),
  fc.tuple(fc.constantFrom(...reviewTriples), fc.constantFrom('cancel', 'promote')).map(([t, sub]) => ['review', sub, t.project, t.market, t.channel]),
  fc.tuple(pair, fc.option(deployId, { nil: undefined })).map(([p, id]) => ['rollback', p.project, p.market, ...(id ? [id] : [])]),
  fc.tuple(fc.constantFrom('approve', 'retry', 'cancel'), deployId).map(([verb, id]) => [verb, id]),
  fc.tuple(deployId).map(([id]) => ['cancel', id, '--force']),
  fc.tuple(deployId, fc.option(reasonWords, { nil: undefined })).map(([id, words]) => ['reject', id, ...(words ?? [])]),
  fc.tuple(pair, fc.boolean()).map(([p, withMarket]) => ['status', p.project, ...(withMarket ? [p.market] : [])]),
  fc.tuple(pair, fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined })).map(([p, n]) => ['history', p.project, p.market, ...(n ? [String(n)] : [])]),
  fc.tuple(pair, reasonWords).map(([p, words]) => ['lock', p.project, p.market, ...words]),
  pair.map((p) => ['unlock', p.project, p.market]),
  fc.option(fc.constantFrom('deploy', 'gray', 'gray start', 'review', 'nosuch'), { nil: undefined }).map((topic) => ['help', ...(topic ? topic.split(' ') : [])]),
);

const space = fc.constantFrom(' ', '  ', '\t', ' \t ', '\u00a0');
function join(words: string[], spaces: string[], slash: boolean): string {
  return (slash ? '/' : '') + words.map((w, i) => (i === 0 ? w : `${spaces[i % spaces.length] ?? ' '}${w}`)).join('');
}
const validLine = fc.tuple(validWords, fc.array(space, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([w, s, slash]) => join(w, s, slash));

const randomFlag = fc.constantFrom('--hosts', '--hosts br-1', '--hosts=br-1,br-2', '--hosts in-1', '--hosts ,', '--dry-run', '--dry-run=1', '--force', '-x', '--', '-', '—dry-run', '--HOSTS', '--hosts=');
type Mutation = (words: string[]) => string[];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i): Mutation => (w) => w.filter((_, j) => j !== i % Math.max(w.length, 1))),
  fc.nat().map((i): Mutation => (w) => (w.length === 0 ? w : [...w.slice(0, (i % w.length) + 1), w[i % w.length]!, ...w.slice((i % w.length) + 1)])),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (w) => {
    if (w.length < 2) return w;
    const copy = [...w];
    const [i, j] = [a % w.length, b % w.length];
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    return copy;
  }),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...JUNK_CHARS)).map(([i, at, ch]): Mutation => (w) => {
    if (w.length === 0) return [ch];
    const k = i % w.length;
    const word = w[k]!;
    const p = at % (word.length + 1);
    return w.map((x, j) => (j === k ? word.slice(0, p) + ch + word.slice(p) : x));
  }),
  fc.tuple(fc.nat(), randomFlag).map(([i, flag]): Mutation => (w) => [...w.slice(0, i % (w.length + 1)), ...flag.split(' '), ...w.slice(i % (w.length + 1))]),
  fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 12 })).map(([i, junk]): Mutation => (w) => w.map((x, j) => (j === i % Math.max(w.length, 1) ? junk : x))),
  fc.nat().map((i): Mutation => (w) => w.map((x, j) => (j === i % Math.max(w.length, 1) ? x.toUpperCase() : x))),
);
const mutatedLine = fc
  .tuple(validWords, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(space, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([words, mutations, spaces, slash]) => join(mutations.reduce((w, m) => m(w), words), spaces, slash));

const vocabulary = [
  'deploy', 'gray', 'start', 'cancel', 'promote', 'review', 'rollback', 'approve', 'reject', 'retry', 'status', 'history', 'lock', 'unlock', 'help',
  ...projects, ...markets, 'main', 'appstore', 'googleplay', ...Object.keys(config.hosts), 'v1.3', 'main.lock', '../x', 'a//b', '-v1', '/etc',
  'd-20261121-0042', 'd-2026-1', '0', '1', '10', '100', '101', '--hosts', '--dry-run', 'br-1,br-2', 'br-1,in-1', 'constructor', '__proto__', 'toString', '',
];
const soupLine = fc
  .tuple(fc.array(fc.constantFrom(...vocabulary), { maxLength: 9 }), fc.array(space, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([w, s, slash]) => join(w, s, slash));

// ---- properties ----------------------------------------------------------------------

describe('parseCommand fuzz', () => {
  it('when a valid line is generated, then it parses and obeys the rules (1 000 lines)', () => {
    fc.assert(fc.property(validLine, (line) => {
      const result = check(line);
      expect(result.ok, `${JSON.stringify(line)} → ${JSON.stringify(result)}`).toBe(true);
    }), { numRuns: 1000 });
  });

  it('when random code points are typed, then it never throws and answers by the rules (3 000 lines)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (line) => void check(line)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 120 }), (line) => void check(line)), { numRuns: 1000 });
  });

  it('when random text follows a real verb, then it never throws and answers by the rules (1 500 lines)', () => {
    const verb = fc.constantFrom('deploy', 'gray start', 'review start', 'lock', 'reject', 'history', 'status', 'help', '/deploy', 'GRAY promote');
    const rest = fc.string({ unit: fc.constantFrom(...JUNK_CHARS, ' ', 'a', 'b', '1', ...'mala-core brazil'), maxLength: 80 });
    fc.assert(fc.property(verb, rest, (v, r) => void check(`${v} ${r}`)), { numRuns: 1500 });
  });

  it('when lines are very long, then it never throws (100 lines up to 6 000 characters)', () => {
    const long = fc.oneof(
      fc.string({ unit: 'binary', minLength: 3000, maxLength: 6000 }),
      fc.integer({ min: 150, max: 3000 }).map((n) => `deploy mala-core brazil ${'v'.repeat(n)}`),
      fc.integer({ min: 1, max: 2000 }).map((n) => `lock mala-core brazil ${'why '.repeat(n)}`),
    );
    fc.assert(fc.property(long, (line) => void check(line)), { numRuns: 100 });
  });

  it('when valid lines are mutated, then it never throws and whatever it accepts obeys the rules (4 000 lines)', () => {
    let accepted = 0;
    fc.assert(fc.property(mutatedLine, (line) => {
      if (check(line).ok) accepted++;
    }), { numRuns: 4000 });
    expect(accepted).toBeGreaterThan(100); // the mutations do not only produce garbage
  });

  it('when words from the vocabulary are shuffled together, then it answers by the rules (2 000 lines)', () => {
    fc.assert(fc.property(soupLine, (line) => void check(line)), { numRuns: 2000 });
  });

  it('when --hosts names any hosts of the config, then only hosts of the production location are accepted (1 000 lines)', () => {
    const allHosts = Object.keys(config.hosts);
    const anyHosts = fc.array(fc.constantFrom(...allHosts, 'nosuch', ''), { minLength: 1, maxLength: 4 });
    const line = pair.chain((p) =>
      fc.tuple(ref, fc.oneof(fc.subarray(production(p.market).hosts, { minLength: 1 }), anyHosts)).map(([r, hosts]) => `deploy ${p.project} ${p.market} ${r} --hosts ${hosts.join(',')}`),
    );
    let accepted = 0;
    fc.assert(fc.property(line, (l) => {
      if (check(l).ok) accepted++;
    }), { numRuns: 1000 });
    expect(accepted).toBeGreaterThan(300);
  });

  it('when refs are built from path-like characters, then only safe ones are accepted (1 000 lines)', () => {
    const refLike = fc.string({ unit: fc.constantFrom(...'ab1.', '.', '/', '-', '_', 'lock', ';', '$', '..'), minLength: 1, maxLength: 14 });
    fc.assert(fc.property(pair, refLike, (p, r) => void check(`deploy ${p.project} ${p.market} ${r}`)), { numRuns: 1000 });
  });

  it('when a ref contains a shell metacharacter, then it is never accepted (1 000 lines)', () => {
    const start = fc.oneof(
      fc.tuple(pair).map(([p]) => `deploy ${p.project} ${p.market}`),
      fc.constantFrom(...grayPairs).map((p) => `gray start ${p.project} ${p.market}`),
      fc.constantFrom(...reviewTriples).map((t) => `review start ${t.project} ${t.market} ${t.channel}`),
    );
    const badRef = fc.tuple(ref, fc.constantFrom(...SHELL_META), fc.stringMatching(/^[A-Za-z0-9._-]{0,8}$/)).map(([a, meta, b]) => `${a}${meta}${b}`);
    fc.assert(fc.property(start, badRef, fc.boolean(), (head, r, dry) => {
      const line = `${head} ${r}${dry && head.startsWith('deploy') ? ' --dry-run' : ''}`;
      const result = check(line);
      expect(result.ok, `${JSON.stringify(line)} → ${JSON.stringify(result)}`).toBe(false);
    }), { numRuns: 1000 });
  });
});
