// `stats <project> [<market>] [<days>]` (docs/deploy-page.md, "DORA figures"): the figures of
// production per market over the last days, from the deploy history, with a link to the list
// when pages are on. Answered at once, no job.
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import type { PageLinks } from '../core/page-link.ts';
import { doraFigures } from '../domain/dora-figures.ts';
import { describeFigures } from '../notify/describe-dora-figures.ts';
import type { JobRuntime } from './job-runtime.ts';

/** Per market, the newest this many deploys are read (more than 30 days of most teams). */
const HISTORY_READ = 500;

export async function showStats(rt: JobRuntime, command: CommandOf<'stats'>, ctx: CommandContext, links?: PageLinks): Promise<void> {
  const markets = command.market ? [command.market] : rt.config.projects[command.project]!.markets;
  const now = rt.now().getTime();
  const lines: string[] = [];
  for (const market of markets) {
    const records = await rt.records.history(command.project, market, HISTORY_READ);
    const d = describeFigures(doraFigures(records, { project: command.project, market }, now, command.days));
    lines.push(`${market}: deploys ${d.frequency} · lead time ${d.leadTime} · change failure rate ${d.failureRate} · recovery ${d.recovery}`);
  }
  const list = links?.index({ project: command.project, ...(command.market ? { market: command.market } : {}) });
  await ctx.reply({
    text: `📊 ${command.project} in production, last ${command.days} day(s)`,
    lines,
    ...(list ? { links: [{ label: 'All deploys', url: list }] } : {}),
  });
}
