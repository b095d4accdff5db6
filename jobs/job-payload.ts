// The payload of every deploy job: only the deploy id. Everything else lives in the deploy
// record, so a job carries no secrets and a stale payload can never disagree with it.
import { z } from 'zod';
import { DEPLOY_ID_PATTERN } from '../src/domain/deploy-id.ts';

export const jobPayloadSchema = z.strictObject({
  deployId: z.string().regex(DEPLOY_ID_PATTERN, 'must be a deploy id like d-20261121-0001'),
});

export const jobNameSchema = z.enum(['prepare', 'run', 'expire']);

/** The drift watch's scheduled job: which market to check. */
export const driftWatchPayloadSchema = z.strictObject({ market: z.string().min(1) });
