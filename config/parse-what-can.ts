// One round of `config check`: when the schema refuses parts of a config, those parts are
// taken out and the rest parsed again, so the reference and key checks still run on what is
// left and every problem is reported at once. An invalid value goes by itself (its default
// then applies); when it was required, what holds it goes — up to the entity (a host, market,
// project, key, hook template, person), whose name is remembered as declared, so nothing
// that names it is reported "unknown"; a section that is wrong as a whole is emptied and all
// its names count as declared. A reference check about a part that lost something
// (`needs exactly one location with role production` after a bad role) is not reported:
// `checkedProblems` keeps only what the cuts cannot have caused. Pure.
// See docs/configuration.md ("config check").
import type { z } from 'zod';
import { type ConfigProblem, pathToString, problemsFromZod } from './format-issues.ts';
import type { RawConfig } from './schema.ts';

export const ENTITY_SECTIONS = ['hosts', 'markets', 'projects', 'keys', 'hookTemplates', 'people'] as const;
export type EntitySection = (typeof ENTITY_SECTIONS)[number];

/** Names taken out of each section (or `'all'`), which references may still use. */
export type RemovedNames = Partial<Record<EntitySection, Set<string> | 'all'>>;

export interface WhatParses {
  /** The config without its invalid parts; undefined when even that does not parse. */
  raw: RawConfig | undefined;
  problems: ConfigProblem[];
  removed: RemovedNames;
  /** The paths taken out. */
  pruned: string[];
}

const MAX_ROUNDS = 6;
const isEntitySection = (key: PropertyKey): key is EntitySection => (ENTITY_SECTIONS as readonly PropertyKey[]).includes(key);

export function parseWhatCan(schema: z.ZodType<RawConfig>, input: unknown): WhatParses {
  const data = structuredClone(input);
  const problems: ConfigProblem[] = [];
  const removed: RemovedNames = {};
  const pruned: string[] = [];
  const covered = (path: string) => pruned.some((p) => related(p, path));

  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const parsed = schema.safeParse(data);
    if (parsed.success) return { raw: parsed.data, problems, removed, pruned };
    for (const problem of problemsFromZod(parsed.error.issues, { schema, data })) {
      if (round === 0 || !covered(problem.path)) problems.push(problem);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) break;
    for (const issue of parsed.error.issues) {
      const at = pruneAt(issue, pruned, round);
      if (at === undefined) return { raw: undefined, problems, removed, pruned };
      prune(data as Record<string, unknown>, at, issue, removed);
      pruned.push(pathToString(at));
    }
  }
  return { raw: undefined, problems, removed, pruned };
}

/**
 * The problems found in the cut config that the cuts cannot have caused: an unknown name is
 * always real (cut names count as declared); any other problem only when nothing was cut
 * inside or above the part it is about.
 */
export function checkedProblems(problems: ConfigProblem[], pruned: readonly string[]): ConfigProblem[] {
  return problems.filter((problem) => /^unknown [a-z ]+ "/.test(problem.message) || !pruned.some((path) => related(path, problem.path)));
}

/** One of the two paths is the other or inside it ('' is the whole config). */
function related(a: string, b: string): boolean {
  return a === b || a === '' || b === '' || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** Where to cut for this issue: the entity it is in, or (when cutting there did not help) one level up. */
function pruneAt(issue: z.core.$ZodIssue, pruned: string[], round: number): PropertyKey[] | undefined {
  let path: PropertyKey[] = [...issue.path];
  while (round > 0 && path.length > 0 && pruned.includes(pathToString(path))) path = path.slice(0, -1);
  if (path.length === 0 && issue.code !== 'unrecognized_keys') return undefined;
  return path;
}

function prune(data: Record<string, unknown>, path: PropertyKey[], issue: z.core.$ZodIssue, removed: RemovedNames): void {
  const parent = path.slice(0, -1).reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), data);
  if (issue.code === 'unrecognized_keys' && pathToString(path) === pathToString(issue.path)) {
    const target = path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), data);
    if (target && typeof target === 'object') for (const key of issue.keys) delete (target as Record<string, unknown>)[key];
    return;
  }
  if (!parent || typeof parent !== 'object') return;
  const last = path[path.length - 1]!;
  const [section, name] = path;
  if (path.length === 1 && isEntitySection(section!)) {
    (parent as Record<PropertyKey, unknown>)[last] = {};
    removed[section] = 'all';
    return;
  }
  if (path.length === 2 && isEntitySection(section!)) {
    const names = removed[section];
    if (names !== 'all') removed[section] = (names ?? new Set()).add(String(name));
  }
  delete (parent as Record<PropertyKey, unknown>)[last];
}
