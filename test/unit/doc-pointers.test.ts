// The repository explains itself: code comments point at its own docs, never at a contract
// kept elsewhere (SPEC/SEEDS/PLATFORMS sections), and every `docs/….md` a source file names exists.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const DIRS = ['src', 'commands', 'jobs', 'config', 'bench', 'test', 'scripts'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs|sh)$/.test(name) ? [path] : [];
  });
}

const files = DIRS.flatMap((dir) => sources(join(ROOT, dir)));
const SELF = 'test/unit/doc-pointers.test.ts';

describe('doc pointers in the code', () => {
  it('no source cites a section of a contract that is not in the repository', () => {
    const cites = files.filter((file) => relative(ROOT, file) !== SELF).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/\b(SPEC|SEEDS)(\.md)? ?§\s?\d+|PLATFORMS\.md/g)].map((m) => `${relative(ROOT, file)}: ${m[0]}`);
    });
    expect(cites).toEqual([]);
  });

  it('every docs/….md a source names exists', () => {
    const missing = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/\bdocs\/[\w./-]+?\.md/g)].map((m) => m[0]).filter((doc) => !existsSync(join(ROOT, doc))).map((doc) => `${relative(ROOT, file)}: ${doc}`);
    });
    expect([...new Set(missing)]).toEqual([]);
  });
});
