// Every Redis key the job layer uses, in one place, under one prefix (tests use a fresh
// prefix each, so they never see each other's data).

export class RedisKeys {
  constructor(readonly prefix = 'deploybot') {}

  #k(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  deploy(id: string): string { return this.#k('deploy', id); }
  deployResult(id: string): string { return this.#k('deploy-result', id); }
  deploySequence(day: string): string { return this.#k('deploy-seq', day); }
  history(project: string, market: string): string { return this.#k('history', project, market); }
  audit(): string { return this.#k('audit'); }
  /** The machine and data directory whose embedded release store this prefix uses (embedded-store-owner.ts). */
  embeddedStoreOwner(): string { return this.#k('embedded-store-owner'); }
  checkpoint(id: string): string { return this.#k('checkpoint', id); }
  locationLock(project: string, market: string, location: string): string { return this.#k('location-lock', project, market, location); }
  /** The prepare phase's lease of one deploy (prepare-lease.ts). */
  prepareLease(id: string): string { return this.#k('prepare-lease', id); }
  /** Since when the reconciler has seen a deploy without job and lease (ms), and its claim to act on it. */
  stuckSince(id: string): string { return this.#k('stuck-since', id); }
  reconcileClaim(id: string): string { return this.#k('reconcile-claim', id); }
  humanLock(project: string, market: string): string { return this.#k('human-lock', project, market); }
  /** A chat freeze of a market, or of every market (`*`). */
  chatFreeze(market: string): string { return this.#k('freeze', market); }
  passedCommits(project: string, market: string): string { return this.#k('passed', project, market); }
  /** Production release ids as they became current, newest last; rollback pops. */
  productionStack(project: string, market: string): string { return this.#k('production-stack', project, market); }
  /** release id → {deployId, version, commit} of the deploy that made it. */
  releaseIds(project: string, market: string): string { return this.#k('release-ids', project, market); }
  /** The last second used in a release id of the project (release ids stay unique per project). */
  releaseSecond(project: string): string { return this.#k('release-second', project); }
  reviewVersions(project: string, market: string): string { return this.#k('review-versions', project, market); }
  spanSizes(project: string): string { return this.#k('span-sizes', project); }
  /** docs/platforms.md: one platform's review versions and package sizes. */
  platformReviewVersions(project: string, market: string, platform: string): string { return this.#k('review-versions', project, market, platform); }
  platformSpanSizes(project: string, platform: string): string { return this.#k('span-sizes', project, platform); }
  /** One stream announcing every deploy event, for notifiers in any process. */
  events(): string { return this.#k('events'); }
  /** The events of one deploy, in order. */
  deployEvents(id: string): string { return this.#k('deploy-events', id); }
  /** Chat messages belonging to a deploy (progress message, approval card). */
  messages(id: string): string { return this.#k('messages', id); }
  /** Message-once guards (first notifier to claim an event posts it). */
  posted(id: string): string { return this.#k('posted', id); }
  /** Deduplication of chat deliveries (DingTalk msgId). */
  delivery(platform: string, id: string): string { return this.#k('delivery', platform, id); }
  /** A gray-test warning already posted for a deploy (kind, host). */
  warned(deployId: string, what: string): string { return this.#k('warned', deployId, what); }
  /** Set while (project, market) has hosts off their recorded release (drift-watch.ts): one warning per episode. */
  driftEpisode(project: string, market: string): string { return this.#k('drift-episode', project, market); }
  /** A request already handled (upload signature, Slack trigger_id): replays are ignored. */
  seen(scope: string, id: string): string { return this.#k('seen', scope, id); }
  /** Commands a user sent in the last minute (the per-user rate limit). */
  commandRate(user: string): string { return this.#k('command-rate', user); }
  /** Set while a command is being accepted: its deadline (Redis time, ms); gone once accepted. */
  accepting(id: string): string { return this.#k('accepting', id); }
  /** The chat budget (docs/reference/chat-limits.md): one window's grants, its pause, its waiting finals. `window` names a workspace, message, channel or robot, never a token. */
  chatBudget(window: string): string { return this.#k('chat-budget', window); }
  chatBudgetPause(window: string): string { return this.#k('chat-budget-pause', window); }
  chatBudgetFinals(window: string): string { return this.#k('chat-budget-finals', window); }
  bullPrefix(): string { return this.#k('bull'); }
  /** Set once a pre-build of this code build is queued (queue-prebuild.ts): one build per commit however often it is pushed. */
  prebuild(project: string, buildId: string): string { return this.#k('prebuild', project, buildId); }
}
