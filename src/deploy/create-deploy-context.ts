// Builds the context of one pipeline run from a plan and the engine's dependencies, after
// checking that the plan names things the config knows.
import { configSecrets } from '../../config/load-config.ts';
import { DeploybotError } from '../core/errors.ts';
import type { DeployContext, DeployEngineDeps } from './deploy-context.ts';
import type { DeployEvent } from './deploy-events.ts';
import type { DeployPlan } from './deploy-plan.ts';
import { transportForHost } from './transports/transport-for-host.ts';
import { TransportPool } from './transports/transport-pool.ts';

export function createDeployContext(plan: DeployPlan, deps: DeployEngineDeps): DeployContext {
  const { config } = deps;
  const project = config.projects[plan.project];
  if (!project) throw new DeploybotError('unknown_project', `unknown project "${plan.project}"`);
  const market = config.markets[plan.market];
  if (!market) throw new DeploybotError('unknown_market', `unknown market "${plan.market}"`);
  const location = market.locations[plan.location];
  if (!location) throw new DeploybotError('unknown_location', `market ${plan.market} has no location "${plan.location}"`);
  if (plan.hosts.length === 0) throw new DeploybotError('no_hosts', 'the plan targets no hosts');
  const strangers = plan.hosts.filter((host) => !location.hosts.includes(host));
  if (strangers.length > 0) throw new DeploybotError('unknown_host', `${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not in ${plan.market}/${plan.location}`);
  if (plan.kind === 'retry' && !plan.previous) throw new DeploybotError('bad_plan', 'a retry needs the previous result');
  const now = deps.now ?? (() => new Date());
  const connectTimeoutMs = Math.min(project.hostTimeout, 20_000);
  return {
    plan,
    deps,
    config,
    project,
    location,
    pool: new TransportPool(deps.transport ?? ((host) => transportForHost(config, host, { connectTimeoutMs }))),
    secrets: configSecrets(config),
    hosts: new Map(),
    steps: [],
    bytesUploaded: 0,
    emit(body) {
      if (!deps.onEvent) return;
      try {
        deps.onEvent({ ...body, deployId: plan.deployId, at: now().toISOString() } as DeployEvent);
      } catch {
        // a listener's failure is not the deploy's
      }
    },
    stopRequested: () => deps.signal?.aborted === true,
    now: () => now().getTime(),
  };
}
