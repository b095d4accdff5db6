// When a chat freeze ends (docs/scheduling.md#freezes): `freeze <market> 2h …` or
// `freeze <market> 2026-12-27T00:00+08:00 …`. Pure.

const DURATION = /^(\d{1,4})(m|h|d)$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})$/;

/** At most this far ahead (as --at). */
export const MAX_FREEZE_MS = 30 * 86_400_000;

export function isFreezeEnd(text: string): boolean {
  return DURATION.test(text) || (ISO_WITH_OFFSET.test(text) && !Number.isNaN(Date.parse(text)));
}

/** The end instant of `text` at `nowMs`, or why it cannot be one. */
export function freezeEnd(text: string, nowMs: number): { ok: true; untilMs: number } | { ok: false; error: string } {
  const duration = DURATION.exec(text);
  const untilMs = duration ? nowMs + Number(duration[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 'm' | 'h' | 'd'] : Date.parse(text);
  if (Number.isNaN(untilMs)) return { ok: false, error: `${text} is neither a duration (2h, 3d) nor an ISO time with an offset` };
  if (untilMs <= nowMs) return { ok: false, error: `${text} is not in the future` };
  if (untilMs - nowMs > MAX_FREEZE_MS) return { ok: false, error: `${text} is more than 30 days ahead; freeze for at most 30 days (planned freezes go in the config's freezes)` };
  return { ok: true, untilMs };
}
