// A ref is what a user typed (SPEC §3: only [A-Za-z0-9._/-]). The engine checks it again
// before git sees it: no leading '-', no '..', no empty path segments, nothing a shell or
// git option parser could misread.
import { DeploybotError } from '../../core/errors.ts';

const ALLOWED = /^[A-Za-z0-9._/-]+$/;

export function refSyntaxProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'is empty';
  if (ref.length > 200) return 'is longer than 200 characters';
  if (!ALLOWED.test(ref)) return 'may only contain letters, digits, ".", "_", "/" and "-"';
  if (ref.startsWith('-')) return 'may not start with "-"';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return 'has an empty path segment';
  if (ref.includes('..') || ref.endsWith('.lock') || ref.endsWith('.')) return 'is not a valid git ref name';
  return undefined;
}

export function assertRefSyntax(ref: string): void {
  const problem = refSyntaxProblem(ref);
  if (problem) throw new DeploybotError('invalid_ref', `ref ${JSON.stringify(ref)} ${problem}`, { ref });
}
