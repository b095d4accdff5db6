// Deploy ids (docs/reference/vocabulary.md): `d-YYYYMMDD-NNNN`, the UTC date and a per-day counter from 0001.

/** The one deploy-id pattern: the command parser, job payloads and the release store use it. */
export const DEPLOY_ID_PATTERN = /^d-\d{8}-\d{4,}$/;

export function formatDeployId(at: Date, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`deploy id sequence must be a positive integer, got ${sequence}`);
  return `d-${utcDay(at)}-${String(sequence).padStart(4, '0')}`;
}

/** `YYYYMMDD` of the UTC day of `at`: the key of the per-day counter. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}

export function isDeployId(text: string): boolean {
  return DEPLOY_ID_PATTERN.test(text);
}
