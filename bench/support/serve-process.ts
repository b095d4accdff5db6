// `deploybot serve` as a separate OS process, the way an operator runs it (bin/deploybot.js:
// tsx registers in the same node process, so the child's pid is the bot's), ready once it
// prints "deploybot serve <pid> ready"; its output is kept for the error message.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../bin/deploybot.js');

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export async function startServeProcess(options: { configFile: string; env: NodeJS.ProcessEnv; args?: string[]; timeoutMs?: number }): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', options.configFile, ...(options.args ?? [])], {
    cwd: join(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve was not ready after ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /http listening on (http:\/\/\S+)/.exec(output);
        if (listening && /deploybot serve \d+ ready/.test(output)) {
          clearTimeout(timer);
          resolve(listening[1]!);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    return { child, pid: child.pid!, url, output: () => output, stop };
  } catch (error) {
    await stop(1000);
    throw error;
  }
}
