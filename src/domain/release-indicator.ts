// The release layer's `filecache/release_indicator.json` (SPEC §4, SEEDS §4): `{"name": "<release>"}`.
// A package must name the release it is deployed as, or the deploy fails at its first step.

export const RELEASE_INDICATOR_PATH = 'filecache/release_indicator.json';

/** The file's content for `release`. */
export function releaseIndicatorJson(release: string): string {
  return `${JSON.stringify({ name: release })}\n`;
}

export type IndicatorCheck =
  | { ok: true; release: string }
  | { ok: false; code: 'release_indicator_missing' | 'release_indicator_invalid' | 'release_indicator_mismatch'; message: string; found?: string };

/**
 * Checks the indicator text read from a package (or an unpacked release on a host; `where`
 * names it in the message) against the release being deployed. `text` undefined = no file.
 */
export function checkReleaseIndicator(text: string | undefined, expectedRelease: string, where = 'the package'): IndicatorCheck {
  if (text === undefined) {
    return { ok: false, code: 'release_indicator_missing', message: `${where} has no ${RELEASE_INDICATOR_PATH}; it cannot be deployed as ${expectedRelease}` };
  }
  let name: unknown;
  try {
    const parsed: unknown = JSON.parse(text);
    name = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).name : undefined;
  } catch {
    name = undefined;
  }
  if (typeof name !== 'string' || name === '') {
    return { ok: false, code: 'release_indicator_invalid', message: `${where}: ${RELEASE_INDICATOR_PATH} is not {"name": "<release>"}; it cannot be deployed as ${expectedRelease}` };
  }
  if (name !== expectedRelease) {
    return { ok: false, code: 'release_indicator_mismatch', message: `${where} is built for release ${name}, not ${expectedRelease}; refusing to deploy it as ${expectedRelease}`, found: name };
  }
  return { ok: true, release: name };
}
