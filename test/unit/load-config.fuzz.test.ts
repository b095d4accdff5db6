// The config loader never throws on bad input: random and mutated YAML is either a valid
// config or a list of `path: message` problems.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.ts';

const example = readFileSync(join(import.meta.dirname, '../../config/deploybot.example.yaml'), 'utf8');
const lines = example.split('\n');
const file = join(import.meta.dirname, '../../config/fuzz.yaml');

function check(text: string): void {
  let result: ReturnType<typeof parseConfig>;
  try {
    result = parseConfig(text, file, {});
  } catch (error) {
    throw new Error(`parseConfig threw on:\n${text.slice(0, 2000)}\n${(error as Error).stack}`);
  }
  if (!result.ok) {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) {
      expect(typeof problem).toBe('string');
      expect(problem.length).toBeGreaterThan(0);
    }
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string(), fc.constantFrom('  x: [', '- -', ': :', '{', '"', '  hosts: 7', '    local: null', '  !!binary AAAA', '&a *a', '<<: *b', '\t')) }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 3 }) }),
);

it('when mutated example configs are loaded, then each is valid or refused with problems, never a throw', () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
      const out = [...lines];
      for (const m of mutations) {
        const at = m.at % Math.max(out.length, 1);
        if (m.kind === 'drop') out.splice(at, 1);
        else if (m.kind === 'dup') out.splice(at, 0, out[at] ?? '');
        else if (m.kind === 'swap') {
          const other = m.with % Math.max(out.length, 1);
          [out[at], out[other]] = [out[other] ?? '', out[at] ?? ''];
        } else if (m.kind === 'insert') out.splice(at, 0, m.text);
        else {
          const line = out[at] ?? '';
          const pos = m.at % (line.length + 1);
          out[at] = line.slice(0, pos) + m.text + line.slice(pos + 1);
        }
      }
      check(out.join('\n'));
    }),
    { numRuns: 1500 },
  );
  // 1500 YAML parses (~30 ms each under load) plus, for the refused ones, the re-parses that
  // let config check report every problem in one round (config/parse-what-can.ts)
}, 180_000);

it('when random text is loaded as a config, then it is refused with problems, never a throw', () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => check(text)), { numRuns: 1000 });
});
