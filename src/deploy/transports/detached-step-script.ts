// The POSIX-sh wrapper that runs a host step (a hook) detached from the connection that
// started it, so a worker that dies does not take the step with it (docs/operations.md,
// "Host steps outlive their worker"). Both transports run these same scripts — over SSH on
// the host, with /bin/sh on this machine for `{ local: dir }` hosts. Needs only POSIX sh and
// coreutils (nohup, timeout, tail, mv).
//
// A step's state directory holds:
//   pid    the wrapper's pid, written by the starter once the wrapper runs
//   out    the step's stdout+stderr, as the host wrote it
//   exit   its exit status, written last (atomically, by rename)
// The directory itself is the claim: `mkdir` succeeds once, so a step is never started twice.
import type { Redactor } from '../../core/redactor.ts';
import { OutputTail } from '../output-tail.ts';

/** Exit status of the starter when the step's directory already exists (someone started it). */
export const ALREADY_STARTED = 95;
/** The wrapper's exit status when the step's working directory cannot be entered. */
export const CANNOT_ENTER = 97;
/** How much of the end of `out` a watch brings back. */
const TAIL_BYTES = 64 * 1024;
/** One watch tick on the host, in seconds. */
const TICK = 0.2;

// $1 state dir, $2 cwd, $3 timeout in seconds, then the program and its arguments
const RUNNER = [
  'd=$1; cwd=$2; secs=$3; shift 3',
  'if cd -- "$cwd" 2>/dev/null; then',
  '  timeout -k 5 "$secs" "$@" </dev/null >"$d/out" 2>&1; code=$?',
  'else',
  `  echo "cannot enter $cwd" >"$d/out"; code=${CANNOT_ENTER}`,
  'fi',
  'echo "$code" >"$d/exit.new" && mv -f -- "$d/exit.new" "$d/exit"',
].join('\n');

// $1 the runner, then the runner's arguments (state dir first)
const STARTER = [
  'r=$1; shift; d=$1',
  'mkdir -p -- "$(dirname -- "$d")" || exit 96',
  `mkdir -- "$d" 2>/dev/null || exit ${ALREADY_STARTED}`,
  'nohup /bin/sh -c "$r" sh "$@" </dev/null >/dev/null 2>&1 &',
  'echo $! >"$d/pid.new" && mv -f -- "$d/pid.new" "$d/pid"',
].join('\n');

// $1 state dir, $2 how many ticks to wait for the step to end. Prints one of
//   missing | running | lost | finished <exit status>, then the output's tail
const WATCHER = [
  'd=$1; n=$2; i=0',
  // the pid is alive and it is our wrapper (its command line names the state dir), not a reused pid
  'alive() {',
  '  [ -f "$d/pid" ] || return 1; p=$(cat -- "$d/pid"); kill -0 "$p" 2>/dev/null || return 1',
  '  [ -r "/proc/$p/cmdline" ] || return 0',
  `  c=$(tr '\\000' '\\n' <"/proc/$p/cmdline"); case $c in *"$d"*) return 0;; esac; return 1`,
  '}',
  'while :; do',
  `  if [ -f "$d/exit" ]; then echo "finished $(cat -- "$d/exit")"; tail -c ${TAIL_BYTES} -- "$d/out" 2>/dev/null; exit 0; fi`,
  '  [ -d "$d" ] || { echo missing; exit 0; }',
  '  if ! alive; then [ -f "$d/exit" ] && continue; echo lost; exit 0; fi',
  '  [ "$i" -ge "$n" ] && { echo running; exit 0; }',
  `  sleep ${TICK}; i=$((i + 1))`,
  'done',
].join('\n');

/** What a host knows about one step. */
export type DetachedStepState =
  | { state: 'missing' }
  | { state: 'running' }
  /** Started, but its wrapper is gone and left no exit status (the host rebooted, or someone killed it). */
  | { state: 'lost' }
  | { state: 'finished'; exitCode: number | null; outputTail: string[] };

/** argv (for `sh -c`) that starts `command` detached in `cwd`, with its state in `stateDir`. */
export function startStepArgv(stateDir: string, cwd: string, timeoutMs: number, command: readonly string[]): string[] {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return ['/bin/sh', '-c', STARTER, 'sh', RUNNER, stateDir, cwd, String(seconds), ...command];
}

/** argv that reports the step's state, waiting up to `waitMs` for it to end. */
export function watchStepArgv(stateDir: string, waitMs: number): string[] {
  return ['/bin/sh', '-c', WATCHER, 'sh', stateDir, String(Math.max(0, Math.floor(waitMs / (TICK * 1000))))];
}

/** Reads the watcher's answer; the output is redacted. */
export function parseWatch(stdout: string, redactor: Redactor): DetachedStepState | undefined {
  const newline = stdout.indexOf('\n');
  const head = (newline === -1 ? stdout : stdout.slice(0, newline)).trim();
  if (head === 'missing' || head === 'running' || head === 'lost') return { state: head };
  const finished = /^finished\s*(\d*)$/.exec(head);
  if (!finished) return undefined;
  const tail = new OutputTail(redactor);
  tail.push(newline === -1 ? '' : stdout.slice(newline + 1));
  const exitCode = finished[1] === '' ? null : Number(finished[1]);
  return { state: 'finished', exitCode, outputTail: tail.lines() };
}
