// GET /healthz (docs/reference/http-surface.md): {"ok", "redis": "ok"|"<error>", "zookeeper": "ok"|"<error>"|"embedded",
// "slack": "ok"|"<error>" when Slack is on}.
// Each check gets a short timeout, so a dead dependency shows within seconds instead of
// hanging the probe; 503 when any part fails, and that part's value says why.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../core/errors.ts';
import { type Redactor, urlOnlyRedactor } from '../core/redactor.ts';
import { withTimeout } from '../services/with-timeout.ts';
import { sendJson } from './send-json.ts';

/** Resolves when the dependency answers; rejects (or times out) when it does not. */
export type HealthCheck = () => Promise<unknown>;

export interface HealthChecks {
  redis: HealthCheck;
  /** `'embedded'` when no market uses ZooKeeper (the embedded store needs no check). */
  zookeeper: HealthCheck | 'embedded';
  /**
   * The Slack adapter's state ("ok", or what the wait for Slack last met), when Slack is on.
   * Reported, not counted in `ok`: deploys, approvals by other channels and the upload hook
   * work without Slack, and restarting serve would not bring Slack back.
   */
  slack?: () => string;
  /** Per check. @defaultValue 2000 */
  timeoutMs?: number;
}

export interface HealthReport {
  ok: boolean;
  redis: string;
  zookeeper: string;
  slack?: string;
}

export async function checkHealth(checks: HealthChecks, redactor: Redactor = urlOnlyRedactor): Promise<HealthReport> {
  const timeoutMs = checks.timeoutMs ?? 2000;
  const run = async (check: HealthCheck): Promise<string> => {
    try {
      await withTimeout(check(), timeoutMs, 'the check');
      return 'ok';
    } catch (error) {
      // /healthz is an HTTP answer: no chat, log or Redis boundary sees it (docs/operations.md, "What is redacted")
      return redactor.redact(errorMessage(error)) || 'failed';
    }
  };
  const [redis, zookeeper] = await Promise.all([
    run(checks.redis),
    checks.zookeeper === 'embedded' ? Promise.resolve('embedded') : run(checks.zookeeper),
  ]);
  const slack = checks.slack ? redactor.redact(checks.slack()) : undefined;
  return { ok: redis === 'ok' && (zookeeper === 'ok' || zookeeper === 'embedded'), redis, zookeeper, ...(slack === undefined ? {} : { slack }) };
}

export function createHealthRoute(checks: HealthChecks, redactor: Redactor = urlOnlyRedactor) {
  return async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const report = await checkHealth(checks, redactor);
    sendJson(res, report.ok ? 200 : 503, report);
  };
}

/** A Redis health check: PING through the bot's own connection. */
export function redisHealthCheck(redis: { ping(): Promise<unknown> }): HealthCheck {
  return () => redis.ping();
}
