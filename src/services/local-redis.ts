import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploybotError } from '../core/errors.ts';
import { askTcp } from './ask-tcp.ts';
import { findFreePort } from './find-free-port.ts';
import { readLogTail } from './read-log-tail.ts';
import { requireBinary } from './require-binary.ts';
import { childExited, disownProcess, spawnOwnedProcess } from './spawn-owned-process.ts';
import { stopProcess } from './stop-process.ts';
import { waitUntil } from './wait-until.ts';

export interface LocalRedis {
  /** `redis://127.0.0.1:<port>`, or `redis://:<password>@127.0.0.1:<port>` with a password */
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** Stops the server (by PID, waits for exit); removes `dir` when it was a temp dir made here. */
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Working dir for pidfile and log. @defaultValue a fresh temp dir */
  dir?: string;
  /** @defaultValue a free port */
  port?: number;
  /** @defaultValue 10000 */
  startTimeoutMs?: number;
  /**
   * Persist every write to an append-only file in `dir` (`--appendonly yes --appendfsync always`),
   * so a server stopped or killed and started again on the same `dir` comes back with its data.
   * @defaultValue false (no persistence)
   */
  appendOnly?: boolean;
  /**
   * Require this password (`requirepass`, written to a 0600 config file in `dir`, never on the
   * command line). The bot's own local Redis gets a random one, so repository code that shares
   * the machine's network (the build sandbox with `build.network`) cannot use it.
   */
  password?: string;
}

const ATTEMPTS_ON_PORT_CLASH = 3;

/**
 * A throwaway redis-server on 127.0.0.1 without persistence (unless `appendOnly`), for tests and the demo.
 * Resolves once it answers (and it is this server that answers, not another one on the port);
 * fails with the log tail when it does not.
 */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = requireBinary('redis-server', 'redis-server');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'deploybot-redis-'));
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'redis.log');

  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await findFreePort());
    const configFile = join(dir, 'redis.conf');
    if (options.password !== undefined) writeFileSync(configFile, `requirepass "${options.password}"\n`, { mode: 0o600 });
    const child = spawnOwnedProcess(
      binary,
      [
        ...(options.password !== undefined ? [configFile] : []),
        '--bind', '127.0.0.1', '--port', String(port), '--dir', dir,
        '--save', '', ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), '--daemonize', 'no',
        '--pidfile', join(dir, 'redis.pid'), '--logfile', logFile,
      ],
      { logFile: join(dir, 'redis.stdout.log'), cwd: dir },
    );
    const pid = child.pid;
    try {
      if (pid === undefined) throw new DeploybotError('service_start_failed', `could not spawn ${binary}`);
      await waitUntil(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new DeploybotError('service_start_failed', `redis-server exited (${child.exitCode ?? child.signalCode}) before answering`);
          }
          return (await answeringPid(port, options.password)) === pid;
        },
        { what: `redis-server on 127.0.0.1:${port} to answer`, timeoutMs: options.startTimeoutMs ?? 10_000 },
      );
    } catch (error) {
      if (pid !== undefined) await stopProcess(pid, { graceMs: 1000 });
      await childExited(child);
      const tail = readLogTail(logFile);
      if (options.port === undefined && attempt < ATTEMPTS_ON_PORT_CLASH && /address already in use/i.test(tail)) continue;
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      throw new DeploybotError('service_start_failed', `${(error as Error).message}\n--- ${logFile} (last lines) ---\n${tail}`);
    }
    return {
      url: options.password !== undefined ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
      port,
      pid,
      dir,
      async stop() {
        await stopProcess(pid);
        await childExited(child);
        disownProcess(pid);
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** The process_id reported by whatever Redis answers on `port`, if any. */
async function answeringPid(port: number, password?: string): Promise<number | undefined> {
  const auth = password !== undefined ? `AUTH ${password}\r\n` : '';
  const answer = await askTcp({ port, send: `${auth}INFO server\r\n`, until: (text) => /process_id:\d+\r\n/.test(text), timeoutMs: 500 });
  const match = answer ? /process_id:(\d+)/.exec(answer) : null;
  return match ? Number(match[1]) : undefined;
}
