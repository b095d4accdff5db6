import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { peopleSchema } from '../../config/people-schema.ts';
import { jobPayloadSchema } from '../../jobs/job-payload.ts';
import { validateArgument } from '../../src/core/validate-argument.ts';
import { isConfigName } from '../../src/domain/config-name.ts';
import { formatDeployId, isDeployId } from '../../src/domain/deploy-id.ts';
import { releaseTypeOf } from '../../src/domain/release-names.ts';
import { releaseNameProblem } from '../../src/domain/release-value-problem.ts';

const idLike = fc.oneof(
  fc.stringMatching(/^d?-?[0-9]{0,9}-?[0-9]{0,6}x?$/),
  fc.tuple(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 99_999 })).map(([at, n]) => formatDeployId(at, n)),
);
// `__proto__` is left out: zod drops that key from a record before the pattern sees it
const nameLike = fc.stringMatching(/^[A-Za-z0-9._\- /@-]{0,12}$/).filter((name) => name !== '__proto__');

describe('one deploy-id pattern and one name pattern', () => {
  it('when any text is offered as a deploy id, then the command parser, the job payload and the store agree', () => {
    fc.assert(fc.property(idLike, (text) => {
      const parsed = validateArgument('deployId', text, {} as Config, {}).ok;
      expect(jobPayloadSchema.safeParse({ deployId: text }).success).toBe(parsed);
      expect(isDeployId(text)).toBe(parsed);
    }), { numRuns: 3000 });
  });

  it('when a deploy id is made, then every layer accepts it', () => {
    expect(isDeployId(formatDeployId(new Date('2026-11-21T10:00:00Z'), 42))).toBe(true);
    expect(isDeployId('d-2026112-0042')).toBe(false);
  });

  it('when any text is offered as a name, then the config schema, release names and the store agree', () => {
    fc.assert(fc.property(nameLike, (name) => {
      const ok = isConfigName(name);
      expect(peopleSchema.safeParse({ [name]: { console: 'alice' } }).success, name).toBe(ok);
      expect(releaseTypeOf(`review-${name}`) === 'review').toBe(ok);
      expect(releaseNameProblem(name) === undefined).toBe(ok);
    }), { numRuns: 3000 });
  });
});
