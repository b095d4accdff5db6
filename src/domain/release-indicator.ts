// The release layer's `filecache/release_indicator.json` (docs/operations.md, "The release indicator"): `{"name": "<release>"}`.
// A package names the release it is built for; before any switch, the unpacked release on a
// host must name the release being deployed (src/deploy/steps/distribute.ts), and a rollback
// target must too (src/deploy/steps/rollback-preflight.ts). This file is the one rule.

export const RELEASE_INDICATOR_PATH = 'filecache/release_indicator.json';

/** The file's content for `release`, as make-package writes it. */
export function releaseIndicatorJson(release: string): string {
  return JSON.stringify({ name: release });
}

/** The release an indicator's text names; undefined when there is no file (`text` undefined) or it is not `{"name": "<release>"}`. */
export function releaseNamedBy(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const name = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).name : undefined;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Why a release whose indicator names `found` (undefined: none) may not be switched to as `expected`; undefined when it may. */
export function indicatorMismatch(found: string | undefined, expected: string): string | undefined {
  if (found === expected) return undefined;
  return found === undefined ? 'is missing its release indicator' : `is a ${JSON.stringify(found)} release`;
}
