// Zod issues as config problems an operator can act on: `path.to.field: message`, in words
// (never zod's "Invalid input"), with the value found where that helps, and a "did you mean"
// for a misspelt field or option. A failed union is reported through its closest branch.
// See docs/configuration.md ("config check").
import type { z } from 'zod';
import { didYouMean } from '../src/domain/closest-names.ts';
import { knownKeysAt } from './schema-keys.ts';

/** One problem with a config file, addressed by its path: `markets.brazil.hosts.0`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** What the issues were found in: the schema (for field names) and the data (for values). */
export interface IssueContext {
  schema: z.ZodType;
  data: unknown;
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

export function pathToString(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

/** Turns zod issues into problems, choosing the closest branch of a failed union. */
export function problemsFromZod(issues: ReadonlyArray<z.core.$ZodIssue>, context?: IssueContext, prefix: ReadonlyArray<PropertyKey> = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = closestBranch(issue.errors, !/^Invalid/.test(issue.message));
      if (closest) {
        problems.push(...problemsFromZod(closest, context, path));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys' && context) {
      const known = knownKeysAt(context.schema, path);
      problems.push({ path: pathToString(path), message: issue.keys.map((key) => `unknown field ${JSON.stringify(key)}${didYouMean(key, known)}`).join(', ') });
      continue;
    }
    problems.push({ path: pathToString(path), message: friendlyMessage(issue, context ? valueAt(context.data, path) : undefined) });
  }
  // `hosts.a.address: is required` says nothing new after `hosts.a: unknown field "adress" (did you mean "address"?)`
  const suggested = new Set(problems.flatMap((p) => [...p.message.matchAll(/\(did you mean "([^"]+)"\?\)/g)].map((m) => `${p.path}.${m[1]}`)));
  return problems.filter((p) => !(p.message === 'is required' && suggested.has(p.path)));
}

/**
 * The branch that was meant: the one that is "least wrong" (an unknown field or a wrong value
 * each count one), unless every branch failed on the value's type as a whole, or several are
 * equally near and the union has a message of its own — then the union's message says what is allowed.
 */
function closestBranch(branches: ReadonlyArray<ReadonlyArray<z.core.$ZodIssue>>, unionSaysWhatIsAllowed: boolean): ReadonlyArray<z.core.$ZodIssue> | undefined {
  const candidates = branches.filter((branch) => branch.length > 0 && !branch.every((issue) => issue.path.length === 0 && issue.code === 'invalid_type'));
  if (candidates.length === 0) return undefined;
  const cost = (branch: ReadonlyArray<z.core.$ZodIssue>) => branch.reduce((sum, issue) => sum + (issue.code === 'unrecognized_keys' ? issue.keys.length : 1), 0);
  const best = candidates.reduce((a, b) => (cost(b) < cost(a) ? b : a));
  // no branch is nearer than another (`{ tcp: 80 }` for command-or-http): the union's own
  // message, when it has one, names the forms; picking a branch would blame one at random
  if (unionSaysWhatIsAllowed && candidates.filter((branch) => cost(branch) === cost(best)).length > 1) return undefined;
  return best;
}

function friendlyMessage(issue: z.core.$ZodIssue, value: unknown): string {
  const zodDefault = /^(Invalid|Too (small|big)|Expected)/.test(issue.message);
  if (!zodDefault) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `must be ${article(issue.expected === 'int' ? 'whole number' : issue.expected)}, not ${describe(value)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const given = typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : '';
      return `must be ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}, not ${describe(value)}${given}`;
    }
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${issue.minimum} item(s)` : issue.origin === 'string' ? (Number(issue.minimum) <= 1 ? 'must not be empty' : `needs at least ${issue.minimum} characters`) : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `takes at most ${issue.maximum} item(s)` : issue.origin === 'string' ? `takes at most ${issue.maximum} characters` : `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return `${describe(value)} is not in the expected form${'pattern' in issue && issue.pattern ? ` (${issue.pattern})` : ''}`;
    default:
      return issue.message.replace(/^Invalid input:?\s*/, 'invalid value: ') || 'invalid value';
  }
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let at: unknown = data;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function article(word: string): string {
  const name = word === 'object' ? 'mapping' : word === 'array' ? 'list' : word;
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}
