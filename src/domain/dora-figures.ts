// What history says about a team's releases, per project × market (docs/deploy-page.md,
// "DORA figures"): deployment frequency, lead time for changes, change failure rate and
// failed deployment recovery time, from the deploy records of a window. Pure.

/** The parts of a deploy record the figures read. */
export interface DoraDeploy {
  id: string;
  project: string;
  market: string;
  verb: string;
  /** Only `production` counts. */
  release: string;
  state: string;
  finishedAt?: string;
  /** When the deployed commit was made (deploys that resolved a ref). */
  commitAt?: string;
}

export interface DoraFigures {
  project: string;
  market: string;
  days: number;
  /** Production deploys that ended `success` in the window (rollbacks not counted). */
  deployments: number;
  perDay: number;
  /** Commit time → production switch, over successful deploys that know their commit's time. */
  leadTime: { medianMs?: number; samples: number };
  /** Production deploys that ended failed / partial / rolled-back, or were rolled back within 24 h, over all that ran. */
  changeFailure: { failed: number; total: number; rate?: number };
  /** From a failed production deploy to the next successful deploy or rollback there. */
  recovery: { medianMs?: number; samples: number; unrecovered: number };
}

const DAY_MS = 24 * 3600 * 1000;
export const ROLLBACK_COUNTS_WITHIN_MS = DAY_MS;
const FAILED_STATES = new Set(['failed', 'partial', 'rolled-back']);
const RAN_STATES = new Set(['success', ...FAILED_STATES]);

interface Finished {
  deploy: DoraDeploy;
  at: number;
}

/**
 * The figures of one project × market over the `days` days before `now`. Deploys of other
 * locations, other releases and unfinished ones are ignored.
 */
export function doraFigures(deploys: readonly DoraDeploy[], where: { project: string; market: string }, now: number, days: number): DoraFigures {
  const from = now - days * DAY_MS;
  const here = deploys
    .filter((d) => d.project === where.project && d.market === where.market && d.release === 'production' && RAN_STATES.has(d.state))
    .map((deploy): Finished | undefined => {
      const at = deploy.finishedAt ? Date.parse(deploy.finishedAt) : Number.NaN;
      return Number.isFinite(at) && at <= now ? { deploy, at } : undefined;
    })
    .filter((f): f is Finished => f !== undefined)
    .sort((a, b) => a.at - b.at || (a.deploy.id < b.deploy.id ? -1 : 1));

  const rolledBack = rolledBackSoon(here);
  const changes = here.filter((f) => f.at >= from && f.deploy.verb !== 'rollback');
  const failedChanges = changes.filter((f) => FAILED_STATES.has(f.deploy.state) || rolledBack.has(f.deploy.id));
  const succeeded = changes.filter((f) => f.deploy.state === 'success');

  const leadTimes = succeeded
    .map((f) => (f.deploy.commitAt ? f.at - Date.parse(f.deploy.commitAt) : Number.NaN))
    .filter((ms) => Number.isFinite(ms) && ms >= 0);

  const recoveries: number[] = [];
  let unrecovered = 0;
  for (const failed of failedChanges) {
    const next = here.find((f) => f.at > failed.at && f.deploy.state === 'success');
    if (next) recoveries.push(next.at - failed.at);
    else unrecovered += 1;
  }

  const total = changes.length;
  return {
    project: where.project,
    market: where.market,
    days,
    deployments: succeeded.length,
    perDay: days > 0 ? succeeded.length / days : 0,
    leadTime: { ...optional('medianMs', median(leadTimes)), samples: leadTimes.length },
    changeFailure: { failed: failedChanges.length, total, ...optional('rate', total > 0 ? failedChanges.length / total : undefined) },
    recovery: { ...optional('medianMs', median(recoveries)), samples: recoveries.length, unrecovered },
  };
}

/** The figures of every project × market the deploys name, sorted by project then market. */
export function doraByLocation(deploys: readonly DoraDeploy[], now: number, days: number): DoraFigures[] {
  const locations = new Map<string, { project: string; market: string }>();
  for (const d of deploys) if (d.release === 'production') locations.set(`${d.project}\u0000${d.market}`, { project: d.project, market: d.market });
  return [...locations.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, where]) => doraFigures(deploys, where, now, days));
}

/**
 * The deploys a successful rollback undid within 24 h: the newest non-rollback deploy before
 * each rollback, when that one had succeeded (the one it took production away from).
 */
function rolledBackSoon(finished: readonly Finished[]): Set<string> {
  const undone = new Set<string>();
  let current: Finished | undefined;
  for (const f of finished) {
    if (f.deploy.verb === 'rollback') {
      if (f.deploy.state !== 'success') continue;
      if (current && f.at - current.at <= ROLLBACK_COUNTS_WITHIN_MS) undone.add(current.deploy.id);
      current = undefined;
    } else {
      // after a failed deploy, a rollback is its recovery, not the undoing of the one before
      current = f.deploy.state === 'success' ? f : undefined;
    }
  }
  return undone;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
