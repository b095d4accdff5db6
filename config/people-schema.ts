// `people:` (docs/configuration.md#people): each person once, with their id on each
// platform. Cross-checks (an id claimed by two people) are in check-approvers.ts.
import { z } from 'zod';
import { CONFIG_NAME_PATTERN, CONFIG_NAME_RULE } from '../src/domain/config-name.ts';

const platformId = z.string().regex(/^[^\s:]+$/, 'must be one word without ":" (the platform\'s own id, e.g. U01ALICE)');

export const personSchema = z.strictObject({
  /** Slack user id (`U…`). */
  slack: platformId.optional(),
  /** DingTalk staff id. */
  dingtalk: platformId.optional(),
  /** Console name (`as <name>`, `--user`, `DEPLOYBOT_USER`). */
  console: platformId.optional(),
}).refine((person) => Object.keys(person).length > 0, { message: 'needs an id on at least one platform (slack, dingtalk or console)', when: (payload) => payload.issues.length === 0 });

export const peopleSchema = z.record(z.string().regex(CONFIG_NAME_PATTERN, CONFIG_NAME_RULE), personSchema).default({});
