import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploybotError } from '../core/errors.ts';
import { askTcp } from './ask-tcp.ts';
import { findFreePort } from './find-free-port.ts';
import { readLogTail } from './read-log-tail.ts';
import { requireBinary, requireFile } from './require-binary.ts';
import { childExited, disownProcess, spawnOwnedProcess } from './spawn-owned-process.ts';
import { stopProcess } from './stop-process.ts';
import { waitUntil } from './wait-until.ts';

export interface LocalZooKeeper {
  /** `127.0.0.1:<port>`, the connect string for node-zookeeper-client. */
  connect: string;
  port: number;
  /** PID of the running server; changes on restart(). */
  readonly pid: number;
  dir: string;
  /** Stops the server; removes `dir` when it was a temp dir made here. Final. */
  stop(): Promise<void>;
  /** Stops the server but keeps its port and data, so restart() brings it back (a "ZooKeeper is down" window). */
  halt(): Promise<void>;
  /** Stops (if running) and starts the same server on the same port and data dir; sessions and nodes survive. */
  restart(): Promise<void>;
}

export interface LocalZooKeeperOptions {
  /** Holds zoo.cfg, data/ and the log. @defaultValue a fresh temp dir */
  dir?: string;
  /** @defaultValue a free port */
  port?: number;
  /** ZooKeeper's tickTime; sessions may last 2–20 ticks. @defaultValue 2000 */
  tickTimeMs?: number;
  /** @defaultValue 30000 */
  startTimeoutMs?: number;
}

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const ZOOKEEPER_CONF_DIR = '/etc/zookeeper/conf';
/** Debian's zookeeper.jar finds no SLF4J binding (logs go nowhere); this one logs to stderr. */
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
const ATTEMPTS_ON_PORT_CLASH = 3;

/**
 * A throwaway standalone ZooKeeper on 127.0.0.1 (Debian's package, run directly with java),
 * for tests and the demo. Resolves once it answers `ruok` with `imok` and serves requests.
 */
export async function startLocalZooKeeper(options: LocalZooKeeperOptions = {}): Promise<LocalZooKeeper> {
  const java = requireBinary('java', 'zookeeper (default-jre)');
  requireFile(ZOOKEEPER_JAR, 'zookeeper');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'deploybot-zookeeper-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dir, 'zookeeper.log');
  const configFile = join(dir, 'zoo.cfg');
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const classPath = [ZOOKEEPER_CONF_DIR, ZOOKEEPER_JAR, ...(existsSync(SLF4J_SIMPLE_JAR) ? [SLF4J_SIMPLE_JAR] : [])].join(':');

  const launch = async (port: number): Promise<ChildProcess> => {
    writeFileSync(configFile, zooCfg({ dataDir, port, tickTimeMs: options.tickTimeMs ?? 2000 }));
    const child = spawnOwnedProcess(
      java,
      [
        '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
        '-Dorg.slf4j.simpleLogger.showDateTime=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
        '-cp', classPath,
        'org.apache.zookeeper.server.ZooKeeperServerMain', configFile,
      ],
      { logFile, cwd: dir },
    );
    const pid = child.pid;
    try {
      if (pid === undefined) throw new DeploybotError('service_start_failed', `could not spawn ${java}`);
      await waitUntil(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new DeploybotError('service_start_failed', `zookeeper exited (${child.exitCode ?? child.signalCode}) before answering`);
          }
          return isServing(port, dataDir);
        },
        { what: `zookeeper on 127.0.0.1:${port} to answer ruok with imok`, timeoutMs: startTimeoutMs, intervalMs: 100 },
      );
      return child;
    } catch (error) {
      if (pid !== undefined) {
        await stopProcess(pid, { graceMs: 1000 });
        await childExited(child);
        disownProcess(pid);
      }
      throw new DeploybotError('service_start_failed', `${(error as Error).message}\n--- ${logFile} (last lines) ---\n${readLogTail(logFile)}`);
    }
  };

  let port = 0;
  let server: ChildProcess | undefined;
  for (let attempt = 1; ; attempt += 1) {
    port = options.port ?? (await findFreePort());
    try {
      server = await launch(port);
      break;
    } catch (error) {
      const clash = /address already in use/i.test(readLogTail(logFile, 40));
      if (options.port === undefined && attempt < ATTEMPTS_ON_PORT_CLASH && clash) continue;
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  const halt = async (): Promise<void> => {
    const running = server;
    server = undefined;
    if (running?.pid === undefined) return;
    await stopProcess(running.pid);
    await childExited(running);
    disownProcess(running.pid);
  };
  return {
    connect: `127.0.0.1:${port}`,
    port,
    get pid() {
      return server?.pid ?? 0;
    },
    dir,
    halt,
    async stop() {
      await halt();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      server = await launch(port);
    },
  };
}

function zooCfg(settings: { dataDir: string; port: number; tickTimeMs: number }): string {
  return [
    `tickTime=${settings.tickTimeMs}`,
    `dataDir=${settings.dataDir}`,
    `clientPort=${settings.port}`,
    'clientPortAddress=127.0.0.1',
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr,stat,conf',
    'maxClientCnxns=0',
    'autopurge.purgeInterval=0',
    '',
  ].join('\n');
}

/** `ruok` answers `imok`, and `conf` shows our dataDir (not another server that holds the port). */
async function isServing(port: number, dataDir: string): Promise<boolean> {
  const ruok = await askTcp({ port, send: 'ruok', timeoutMs: 1000 });
  if (ruok !== 'imok') return false;
  const conf = await askTcp({ port, send: 'conf', timeoutMs: 1000 });
  return conf?.includes(`dataDir=${dataDir}`) === true;
}
