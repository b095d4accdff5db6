// How one project's repository code runs on this machine (docs/operations.md, "Repository
// code is sandboxed"): in bubblewrap, unless the project set `build.sandbox: off`. When no
// sandbox can be made, nothing of the repository runs and the error says why.
import type { Redactor } from '../core/redactor.ts';
import { DeploybotError } from '../core/errors.ts';
import { runLocalScript, runLocalScriptProgram } from './run-local-command.ts';
import { probeSandbox } from './probe-sandbox.ts';
import { DEFAULT_BWRAP, runSandboxedProgram, runSandboxedScript } from './run-sandboxed-script.ts';
import { sandboxArgv } from './sandbox-argv.ts';
import type { ScriptResult } from './command-result.ts';

/** Where bubblewrap lives (a dependency, so a test can point it at a missing binary). */
export interface SandboxTool {
  /** @defaultValue /usr/bin/bwrap */
  bwrapPath?: string;
}

export interface SandboxSettings {
  sandbox: 'on' | 'off';
  network: boolean;
}

export interface SandboxedDirectory {
  /** Real path on this machine. */
  dir: string;
  /** Where the code sees it inside the sandbox. */
  as: string;
}

export interface RepositoryRun {
  /** The only directories the code may write (the first holds `cwd`). */
  dirs: readonly SandboxedDirectory[];
  /** Working directory: a real path inside one of `dirs`. */
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  redactor: Redactor;
}

export interface RepositorySandbox {
  readonly isolated: boolean;
  /** Resolves when repository code may run; else throws `sandbox_unavailable` naming why. */
  ready(): Promise<void>;
  /** Where the code sees the real `path` (inside one of the run's dirs). */
  inside(path: string, dirs: readonly SandboxedDirectory[]): string;
  runScript(script: string, run: RepositoryRun): Promise<ScriptResult>;
  /** A program with arguments (no shell); paths in `argv` as `inside` gives them. */
  runProgram(argv: readonly string[], run: RepositoryRun): Promise<ScriptResult>;
  /** What runProgram would start, for a caller that starts it itself (a detached hook): the program, and the cwd and environment to start it with. */
  command(argv: readonly string[], run: Omit<RepositoryRun, 'timeoutMs' | 'redactor'>): SandboxCommand;
}

export interface SandboxCommand {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** `project` names whose code it is, in the error (and the `projects.<project>.build.sandbox` to set). */
export function repositorySandbox(project: string, settings: SandboxSettings, tool: SandboxTool = {}): RepositorySandbox {
  const bwrapPath = tool.bwrapPath ?? DEFAULT_BWRAP;
  if (settings.sandbox === 'off') return unsandboxed;
  const inside = (path: string, dirs: readonly SandboxedDirectory[]) => {
    for (const { dir, as } of dirs) {
      if (path === dir) return as;
      if (path.startsWith(`${dir}/`)) return `${as}${path.slice(dir.length)}`;
    }
    throw new Error(`sandbox: ${path} is outside the directories the code is given`);
  };
  const options = (run: RepositoryRun) => ({
    bwrapPath,
    mounts: run.dirs.map(({ dir, as }) => ({ from: dir, to: as, writable: true })),
    cwd: inside(run.cwd, run.dirs),
    env: run.env,
    network: settings.network,
    timeoutMs: run.timeoutMs,
    redactor: run.redactor,
  });
  return {
    isolated: true,
    async ready() {
      const probe = await probeSandbox(bwrapPath);
      if (!probe.ok) {
        throw new DeploybotError(
          'sandbox_unavailable',
          `cannot run ${project}'s repository code: no sandbox can be made here (${probe.reason}). Nothing of the repository ran. Install bubblewrap, or set projects.${project}.build.sandbox: off (unsafe, see docs/operations.md)`,
          { reason: probe.reason },
        );
      }
    },
    inside,
    runScript: (script, run) => runSandboxedScript(script, options(run)),
    runProgram: (argv, run) => runSandboxedProgram(argv, options(run)),
    command: (argv, run) => ({
      argv: [bwrapPath, ...sandboxArgv({ mounts: run.dirs.map(({ dir, as }) => ({ from: dir, to: as, writable: true })), cwd: inside(run.cwd, run.dirs), env: run.env, network: settings.network, command: argv })],
      cwd: '/',
      env: { ...run.env },
    }),
  };
}

/** `build.sandbox: off`: the code runs as the bot's user with the minimal environment, seeing real paths. */
const unsandboxed: RepositorySandbox = {
  isolated: false,
  ready: async () => undefined,
  inside: (path) => path,
  runScript: (script, run) => runLocalScript(script, { cwd: run.cwd, env: run.env, timeoutMs: run.timeoutMs, redactor: run.redactor }),
  runProgram: (argv, run) => runLocalScriptProgram(argv[0]!, argv.slice(1), { cwd: run.cwd, env: run.env, timeoutMs: run.timeoutMs, redactor: run.redactor }),
  command: (argv, run) => ({ argv: [...argv], cwd: run.cwd, env: { ...run.env } }),
};
