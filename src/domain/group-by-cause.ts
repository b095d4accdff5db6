// Failures grouped by what caused them (docs/slack.md "Messages"): 412 hosts that failed the
// same way are one line — count, cause, a few names — not 412 lines. Pure; the renderers call it.

export interface CauseGroup<T> {
  cause: string;
  members: T[];
}

/** Groups `items` by `causeOf`, largest group first; groups of equal size keep the order their first member had. */
export function groupByCause<T>(items: readonly T[], causeOf: (item: T) => string): CauseGroup<T>[] {
  const groups = new Map<string, CauseGroup<T>>();
  for (const item of items) {
    const cause = causeOf(item);
    const group = groups.get(cause);
    if (group) group.members.push(item);
    else groups.set(cause, { cause, members: [item] });
  }
  // Array.prototype.sort is stable: equal sizes stay in first-seen order
  return [...groups.values()].sort((a, b) => b.members.length - a.members.length);
}

/**
 * A host's failure message with what names the host taken out, so that hosts that failed the
 * same way read the same: `br-3 (10.0.0.3:22): connection refused` → `connection refused`.
 */
export function causeWithoutHost(message: string, host: string): string {
  let text = message;
  if (text.startsWith(`${host}: `)) text = text.slice(host.length + 2);
  if (text.startsWith(`${host} (`)) {
    const close = text.indexOf('): ');
    if (close !== -1) text = text.slice(close + 3);
  }
  return text.split(host).join('<host>');
}
