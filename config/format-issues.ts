import type { z } from 'zod';

/** One problem with a config file, addressed as SPEC §12 wants: `markets.brazil.hosts.0`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

export function pathToString(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

/** Turns zod issues into problems, choosing the closest branch of a failed union. */
export function problemsFromZod(issues: ReadonlyArray<z.core.$ZodIssue>, prefix: ReadonlyArray<PropertyKey> = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.filter((branch) => branch.length > 0);
      const deep = branches.filter((branch) => branch.every((nested) => nested.path.length > 0));
      if (deep.length > 0) {
        const closest = deep.reduce((best, branch) => (branch.length < best.length ? branch : best));
        problems.push(...problemsFromZod(closest, path));
        continue;
      }
    }
    problems.push({ path: pathToString(path), message: friendlyMessage(issue) });
  }
  return problems;
}

function friendlyMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'is required';
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return issue.message;
}
