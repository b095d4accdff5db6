// Runs one hook on a host as a detached step (docs/operations.md, "Host steps outlive their
// worker"), or picks up the one a dead worker left there: a finished step's exit status and
// output are adopted, a running one is waited for, one that never started is started, and a
// step whose host lost it (its process gone without an exit status: the host restarted) is
// reported `lost` — the caller decides whether it may run again.
import type { DetachedStepState } from './transports/detached-step-script.ts';
import type { ScriptResult } from './command-result.ts';
import type { HostTransport, ScriptOptions } from './transports/host-transport.ts';

/** How long one watch waits on the host before answering "still running". */
const WATCH_MS = 5_000;
/** Beyond the hook's own timeout (enforced on the host), how long the worker keeps waiting. */
const GRACE_MS = 30_000;

export type HostStepRun =
  | { kind: 'finished'; result: ScriptResult; adopted: boolean }
  /** Started once (by this worker or a dead one), but gone without an exit status. */
  | { kind: 'lost' };

export interface HostStepRequest {
  stateDir: string;
  script: string;
  options: ScriptOptions;
  /** Awaited right after this worker started the step on the host, before it is watched: the caller records that it may have started (a mark set before the start would make a worker killed in between leave a "started" step the host never saw). */
  onStarted?: () => Promise<void>;
  /** Called once the step runs on the host (started here, or found there). */
  onRunning?: () => void;
}

export async function runHostStep(transport: HostTransport, request: HostStepRequest, now: () => number = Date.now): Promise<HostStepRun> {
  const { stateDir, script, options } = request;
  const started = now();
  let state = await transport.watchStep(stateDir, 0, options.redactor);
  const adopted = state.state !== 'missing';
  // no state directory: the step never started on the host (its directory is the claim,
  // made before anything runs), whatever a dead worker's checkpoint says — start it now; a
  // starter of the dead worker still racing loses the claim and this one watches it instead
  if (state.state === 'missing') {
    await transport.startStep(stateDir, script, options);
    await request.onStarted?.();
  }
  request.onRunning?.();
  const deadline = now() + options.timeoutMs + GRACE_MS;
  for (;;) {
    state = await transport.watchStep(stateDir, Math.max(0, Math.min(WATCH_MS, deadline - now())), options.redactor);
    if (state.state === 'finished') return { kind: 'finished', adopted, result: scriptResult(state, options.timeoutMs, now() - started) };
    if (state.state !== 'running') return { kind: 'lost' };
    if (now() >= deadline) {
      return { kind: 'finished', adopted, result: { exitCode: null, timedOut: true, durationMs: now() - started, outputTail: [`still running ${options.timeoutMs + GRACE_MS} ms after it was started or adopted; its timeout did not stop it`] } };
    }
  }
}

function scriptResult(state: Extract<DetachedStepState, { state: 'finished' }>, timeoutMs: number, durationMs: number): ScriptResult {
  // `timeout` exits 124 when it stopped the hook, 137 when it had to SIGKILL it
  const timedOut = state.exitCode === 124 || state.exitCode === 137;
  const outputTail = timedOut ? [...state.outputTail, `killed after ${timeoutMs} ms (timeout)`] : state.outputTail;
  return { exitCode: state.exitCode, timedOut, durationMs, outputTail };
}
