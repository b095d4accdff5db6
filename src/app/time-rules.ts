// The market's time rules as they apply to one verb (docs/scheduling.md): its calendar
// (timezone, windows, the config's freezes and the chat freezes), and the refusal a freeze or
// a closed window gives — at accept, and again when a scheduled deploy's time comes.
import type { CommandDeclaration } from '../core/command-types.ts';
import { ownEntry } from '../core/own-entry.ts';
import { allowedAt, type Freeze, type MarketCalendar, nextAllowed } from '../domain/deploy-calendar.ts';
import { isTerminal } from '../domain/deploy-record.ts';
import { displayUser } from '../domain/people.ts';
import { MAX_SCHEDULE_AHEAD_MS } from '../domain/scheduled-time.ts';
import { formatInZone } from '../domain/zoned-time.ts';
import type { JobRuntime } from './job-runtime.ts';

export type TimeRefusal = { code: 'frozen' | 'outside_window'; message: string };

/** The calendar `declaration`'s verb obeys in `market`: windows only for windowed verbs, freezes only for frozen ones. */
export async function marketCalendar(rt: JobRuntime, market: string, declaration: Pick<CommandDeclaration, 'verb' | 'windowed' | 'frozen'>): Promise<MarketCalendar> {
  const config = ownEntry(rt.config.markets, market);
  const timezone = config?.timezone ?? 'UTC';
  const windows = declaration.windowed ? (config?.windows ?? []) : [];
  if (!declaration.frozen) return { timezone, windows, freezes: [] };
  const planned: Freeze[] = (config?.freezes ?? [])
    .filter((f) => !(f.except as readonly string[]).includes(declaration.verb))
    .map((f) => ({ fromMs: Date.parse(f.from), toMs: Date.parse(f.to), reason: f.reason, by: 'config' }));
  const chat: Freeze[] = (await rt.chatFreezes.of(market)).map((f) => ({ fromMs: Date.parse(f.at), toMs: Date.parse(f.until), reason: f.reason, by: f.by }));
  return { timezone, windows, freezes: [...planned, ...chat] };
}

/**
 * Why `declaration`'s verb may not start in `market` at `atMs`, or undefined. A freeze names
 * its reason, who froze it and until when; a closed window names the next start and the
 * `--at next-window` form of `commandText`.
 */
export async function timeRefusal(rt: JobRuntime, market: string, declaration: Pick<CommandDeclaration, 'verb' | 'windowed' | 'frozen'>, atMs: number, commandText: string): Promise<TimeRefusal | undefined> {
  const calendar = await marketCalendar(rt, market, declaration);
  const verdict = allowedAt(atMs, calendar);
  if (verdict.ok) return undefined;
  if (verdict.kind === 'freeze') {
    const f = verdict.freeze;
    const by = f.by === 'config' ? 'the config (a planned freeze)' : displayUser(rt.config.people, f.by);
    return { code: 'frozen', message: `${market} is frozen until ${formatInZone(f.toMs, calendar.timezone)} by ${by}: ${f.reason}. Only rollback, gray cancel, review cancel and cancel run during a freeze` };
  }
  const next = nextAllowed(atMs, calendar, MAX_SCHEDULE_AHEAD_MS);
  const windows = calendar.windows.map((w) => `${w.days} ${w.from}–${w.to}`).join(', ');
  const when = next === undefined ? 'no window opens outside a freeze within 30 days' : `the next window opens ${formatInZone(next, calendar.timezone)}; \`${withoutAt(commandText)} --at next-window\` schedules it then`;
  return { code: 'outside_window', message: `${market} deploys only in its windows (${windows}, ${calendar.timezone}); ${when}` };
}

/** The command as typed, without its `--at` (the refusal suggests another). */
function withoutAt(commandText: string): string {
  return commandText.replace(/\s+[-\u2013\u2014]{1,2}at(?:=|\s+)\S+/iu, '').trim();
}

/** What `status` says of time in `market`: the freeze in force now, and the deploys of `project` scheduled there (docs/scheduling.md). */
export async function timeStatusLines(rt: JobRuntime, project: string, market: string): Promise<string[]> {
  const lines: string[] = [];
  const nowMs = rt.now().getTime();
  const calendar = await marketCalendar(rt, market, { verb: 'deploy', windowed: true, frozen: true });
  const verdict = allowedAt(nowMs, calendar);
  if (!verdict.ok && verdict.kind === 'freeze') {
    const f = verdict.freeze;
    lines.push(`🧊 frozen until ${formatInZone(f.toMs, calendar.timezone)} by ${f.by === 'config' ? 'the config' : displayUser(rt.config.people, f.by)}: ${f.reason}`);
  }
  const scheduled = (await rt.records.history(project, market, 100))
    .filter((r) => r.scheduledAt && !isTerminal(r.state) && r.state !== 'running')
    .sort((a, b) => Date.parse(a.scheduledAt!) - Date.parse(b.scheduledAt!));
  for (const r of scheduled) {
    lines.push(`⏰ scheduled: ${r.id} ${r.verb}${r.version ? ` ${r.version}` : ''} at ${formatInZone(Date.parse(r.scheduledAt!), calendar.timezone)} (${r.state}, requested by ${displayUser(rt.config.people, r.requestedBy)})`);
  }
  return lines;
}
