// Release names and types (docs/reference/vocabulary.md): `production` (the default release), `gray`,
// `review-<channel>` where the channel is the review location's key (a config name).
import { isConfigName } from './config-name.ts';

export type ReleaseType = 'production' | 'gray' | 'review';

export const PRODUCTION_RELEASE = 'production';
export const GRAY_RELEASE = 'gray';
const REVIEW_PREFIX = 'review-';

/** `appstore` → `review-appstore`. Throws on a channel that is not a config name. */
export function reviewReleaseName(channel: string): string {
  if (!isConfigName(channel)) throw new Error(`invalid review channel ${JSON.stringify(channel)}`);
  return `${REVIEW_PREFIX}${channel}`;
}

/** The type of a release name, or undefined when the name is none of the three forms. */
export function releaseTypeOf(name: string): ReleaseType | undefined {
  if (name === PRODUCTION_RELEASE) return 'production';
  if (name === GRAY_RELEASE) return 'gray';
  if (name.startsWith(REVIEW_PREFIX) && isConfigName(name.slice(REVIEW_PREFIX.length))) return 'review';
  return undefined;
}

export function isReleaseName(name: string): boolean {
  return releaseTypeOf(name) !== undefined;
}

/** `review-appstore` → `appstore`; undefined for production and gray. */
export function reviewChannelOf(name: string): string | undefined {
  return releaseTypeOf(name) === 'review' ? name.slice(REVIEW_PREFIX.length) : undefined;
}
