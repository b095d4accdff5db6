import { readdirSync, readFileSync } from 'node:fs';
import { sendSignal } from './stop-process.ts';

/** Every descendant of `pid` (children, grandchildren …, zombies included), from /proc; parents before children. */
export function listDescendants(pid: number): number[] {
  return listDescendantsWithParents(pid).map((each) => each.pid);
}

/** Like listDescendants, with each process's parent PID. */
export function listDescendantsWithParents(pid: number): Array<{ pid: number; ppid: number }> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid === undefined) continue;
    const siblings = children.get(ppid) ?? [];
    siblings.push(Number(entry));
    children.set(ppid, siblings);
  }
  const result: Array<{ pid: number; ppid: number }> = [];
  const queue = (children.get(pid) ?? []).map((child) => ({ pid: child, ppid: pid }));
  while (queue.length > 0) {
    const next = queue.shift() as { pid: number; ppid: number };
    result.push(next);
    queue.push(...(children.get(next.pid) ?? []).map((child) => ({ pid: child, ppid: next.pid })));
  }
  return result;
}

/** Signals `pid` first, then its descendants (so a stopped parent cannot fork new ones meanwhile). */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  sendSignal(pid, signal);
  for (const child of listDescendants(pid)) sendSignal(child, signal);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
