// The handlers of every verb with an engine behind it, for the command router.
import type { TrackedJob } from '../core/chat-types.ts';
import type { CommandContext, CommandHandlers } from '../core/command-router.ts';
import type { PageLinks } from '../core/page-link.ts';
import { acceptCommand, type AcceptedCommand } from './accept-command.ts';
import { buildCommand } from './build-command.ts';
import { cancelDeploy } from './cancel-deploy.ts';
import { controlRollout } from './control-rollout.ts';
import { forceCancelDeploy } from './force-cancel-deploy.ts';
import { decideApproval } from './decide-approval.ts';
import { dryRunCommand } from './dry-run-command.ts';
import type { JobRuntime } from './job-runtime.ts';
import { syncDryRun } from './sync-dry-run.ts';
import { lockMarket, showHistory, showStatus, unlockMarket } from './market-commands.ts';
import { freezeMarket, unfreezeMarket } from './freeze-commands.ts';
import { showStats } from './show-stats.ts';

export function commandHandlers(rt: JobRuntime, track: (deployId: string) => TrackedJob, links: () => PageLinks | undefined = () => undefined): CommandHandlers {
  const accept = async (command: AcceptedCommand, ctx: CommandContext): Promise<void> => void (await acceptCommand(rt, command, ctx, track));
  return {
    deploy: async (command, ctx) => {
      if (command.dryRun) return dryRunCommand(rt, command, ctx);
      await accept(command, ctx);
    },
    'gray start': accept,
    'gray cancel': accept,
    'gray promote': accept,
    'review start': accept,
    'review cancel': accept,
    'review promote': accept,
    rollback: accept,
    retry: accept,
    approve: (command, ctx) => decideApproval(rt, { deployId: command.deployId, decision: 'approved' }, ctx),
    reject: (command, ctx) => decideApproval(rt, { deployId: command.deployId, decision: 'rejected', ...(command.reason ? { reason: command.reason } : {}) }, ctx),
    cancel: (command, ctx) => (command.force ? forceCancelDeploy(rt, command.deployId, ctx) : cancelDeploy(rt, command.deployId, ctx)),
    pause: (command, ctx) => controlRollout(rt, 'pause', command.deployId, ctx),
    resume: (command, ctx) => controlRollout(rt, 'resume', command.deployId, ctx),
    abort: (command, ctx) => controlRollout(rt, 'abort', command.deployId, ctx),
    status: (command, ctx) => showStatus(rt, command, ctx),
    history: (command, ctx) => showHistory(rt, command, ctx, links()),
    lock: (command, ctx) => lockMarket(rt, command, ctx),
    unlock: (command, ctx) => unlockMarket(rt, command, ctx),
    build: (command, ctx) => buildCommand(rt, command, ctx),
    sync: async (command, ctx) => {
      if (command.dryRun) return syncDryRun(rt, command, ctx);
      await accept(command, ctx);
    },
    freeze: (command, ctx) => freezeMarket(rt, command, ctx),
    unfreeze: (command, ctx) => unfreezeMarket(rt, command, ctx),
    stats: (command, ctx) => showStats(rt, command, ctx, links()),
  };
}
