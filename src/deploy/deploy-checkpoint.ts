// Where a deploy records what it has finished, so a rerun of the same plan (a resumed job
// after a worker died) skips it. Values are JSON. Keys used by the pipeline:
//   resolve                         {commit, releaseId}
//   build                           {buildKey, sha256, bytes, cacheHit, file}
//   preflight                       true (rollback)
//   distribute:<host>               {durationMs, bytes}
//   gate                            {hosts: string[]}          — switching has begun for these hosts
//   previous:<host>                 {releaseId?}               — what was current before the switch
//   switch:<host>:beforeDeploy      'running' | {durationMs, outputTail}
//   switch:<host>:link              {durationMs}
//   switch:<host>:afterDeploy       'running' | {durationMs, outputTail}
//   rollout:started:<n>             true                       — wave n began switching (docs/operations.md, "Progressive rollout")
//   rollout:bake:<n>                {startedAt}                — bake time already spent counts on resume
//   rollout:health:<host>           HostHealth                 — passed / unhealthy since its switch
//   rollout:wave:<n>                {unhealthy, paused?}       — wave n ended (passed, or paused after it)
//   rollout:failed                  {wave, action, reason}     — switching back was decided
//   undo:<host>:<step>              as switch:…                — the switch back of one host
//   record                          true
//   prune:<host>                    {removed: string[]}
// A hook is marked 'running' once it has been started on the host; a resuming worker looks for
// its run in the release's `.deploybot/` directory first (marked or not) and adopts it, never
// starting it a second time (docs/operations.md).

export interface DeployCheckpoint {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export class MemoryCheckpoint implements DeployCheckpoint {
  readonly #entries = new Map<string, string>();

  async get(key: string): Promise<unknown | undefined> {
    const text = this.#entries.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.#entries.set(key, JSON.stringify(value));
  }

  keys(): string[] {
    return [...this.#entries.keys()];
  }
}
