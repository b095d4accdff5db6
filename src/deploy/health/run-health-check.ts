// Runs one health check against one host (docs/configuration.md, "Health and rollout"):
// `command` on the host with /bin/sh -c in `path` and the hook variables; `http` fetched by
// the worker from a URL template. Every check is bounded by its `timeout`: a check that does
// not answer in time has failed, with a line saying so.
import type { HealthCheckConfig } from '../../../config/schema.ts';
import type { Redactor } from '../../core/redactor.ts';
import { errorMessage } from '../../core/errors.ts';
import type { CheckOutcome } from '../../domain/host-health.ts';
import { expandHookTemplate } from '../expand-hook-template.ts';
import { hookEnvironment, hookPlaceholders, type DeployVariables } from '../hook-variables.ts';
import type { RepositorySandbox } from '../repository-sandbox.ts';
import type { HostTransport } from '../transports/host-transport.ts';
import { withTimeout } from '../../services/with-timeout.ts';

const BODY_LINES = 5;

export interface HealthCheckTarget {
  transport: HostTransport;
  vars: DeployVariables;
  /** The host's address (`{address}` in an http check). */
  address: string;
  path: string;
  releaseDir: string;
  redactor: Redactor;
  /** For `{ local: dir }` hosts, as their hooks get. */
  sandbox?: RepositorySandbox;
}

/** `command svstat …` / `http http://…`: how a check is named in messages and streaks. */
export function checkLabel(check: HealthCheckConfig): string {
  return 'command' in check ? `command ${check.command}` : `http ${check.http}`;
}

export async function runHealthCheck(check: HealthCheckConfig, target: HealthCheckTarget): Promise<CheckOutcome> {
  const base = { check: checkLabel(check), failureLimit: check.failureLimit };
  try {
    const { ok, outputTail } = 'command' in check ? await commandCheck(check, target) : await httpCheck(check, target);
    return { ...base, ok, outputTail: outputTail.map((line) => target.redactor.redact(line)) };
  } catch (error) {
    return { ...base, ok: false, outputTail: [target.redactor.redact(errorMessage(error))] };
  }
}

async function commandCheck(check: Extract<HealthCheckConfig, { command: string }>, target: HealthCheckTarget): Promise<{ ok: boolean; outputTail: string[] }> {
  const placeholders = { ...hookPlaceholders(target.vars, { path: target.path, releaseDir: target.releaseDir }), address: target.address };
  const script = expandHookTemplate(check.command, placeholders);
  const { transport } = target;
  // the host enforces the timeout; the worker gives up a little later if the host itself hangs
  const result = await withTimeout(
    transport.runScript(script, { cwd: target.path, env: hookEnvironment(target.vars), timeoutMs: check.timeout, redactor: target.redactor, ...(target.sandbox ? { sandbox: target.sandbox } : {}) }),
    check.timeout + 5_000,
    `${target.vars.host}: health check`,
    () => transport.destroy(),
  );
  const status = result.timedOut ? `no answer within ${check.timeout} ms` : `exit ${result.exitCode ?? 'none'}`;
  return { ok: result.exitCode === 0 && !result.timedOut, outputTail: result.exitCode === 0 ? result.outputTail : [...result.outputTail, status] };
}

async function httpCheck(check: Extract<HealthCheckConfig, { http: string }>, target: HealthCheckTarget): Promise<{ ok: boolean; outputTail: string[] }> {
  const values: Record<string, string | undefined> = { ...hookPlaceholders(target.vars), address: target.address };
  const url = check.http.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => (values[name] === undefined ? whole : encodeURIComponent(values[name]!)));
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(check.timeout), redirect: 'manual' });
    body = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { ok: false, outputTail: [`GET ${url}: ${timedOut ? `no answer within ${check.timeout} ms` : errorMessage(error)}`] };
  }
  const statusOk = check.expect === '2xx' ? response.status >= 200 && response.status < 300 : response.status === check.expect;
  const bodyOk = check.body === undefined || new RegExp(check.body).test(body);
  const lines = body.split('\n').filter((line) => line.trim() !== '').slice(0, BODY_LINES).map((line) => line.slice(0, 200));
  const verdict = !statusOk ? `expected ${check.expect}` : !bodyOk ? `body does not match /${check.body}/` : 'ok';
  return { ok: statusOk && bodyOk, outputTail: [`GET ${url}: HTTP ${response.status} (${verdict})`, ...lines] };
}
