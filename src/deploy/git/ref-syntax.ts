// The engine checks a ref again before git sees it (a job payload need not come from the
// command parser), with the same rule as the parser: src/domain/ref-rules.ts.
import { DeploybotError } from '../../core/errors.ts';
import { quoteWord } from '../../core/quote-word.ts';
import { refProblem } from '../../domain/ref-rules.ts';

export function assertRefSyntax(ref: string): void {
  const problem = refProblem(ref, quoteWord);
  if (problem) throw new DeploybotError('invalid_ref', `ref ${quoteWord(ref)} ${problem}`, { ref });
}
