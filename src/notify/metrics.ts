// The bot's Prometheus metrics (served at GET /metrics). One registry per bot process,
// never prom-client's global one, so tests and several bots in one process do not collide.
// The job layer counts deploys, step durations and queue depth; the chat adapters and the
// throttled editor count chat API errors and rate limits.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ChatApiLabels = 'platform' | 'method';

export interface DeploybotMetrics {
  registry: Registry;
  /** `deploybot_deploys_total{project, market, verb, outcome}`; outcome: success, partial, failed, cancelled, rejected, expired, … */
  deploys: Counter<'project' | 'market' | 'verb' | 'outcome'>;
  /** `deploybot_step_duration_seconds{step, outcome}` */
  stepDuration: Histogram<'step' | 'outcome'>;
  /** `deploybot_queue_depth{queue, state}`: jobs waiting (or delayed, active) per queue */
  queueDepth: Gauge<'queue' | 'state'>;
  /** `deploybot_chat_api_errors_total{platform, method}`: failed chat API calls (429s included) */
  chatApiErrors: Counter<ChatApiLabels>;
  /** `deploybot_chat_rate_limited_total{platform, method}`: chat API calls answered 429 / throttled (DingTalk: 403 QPS or quota, errcode 130101, flow-controlled users) */
  chatRateLimited: Counter<ChatApiLabels>;
  /** `deploybot_chat_undelivered_total{platform, method, reason}`: calls the platform accepted (HTTP 200) without delivering to every target */
  chatUndelivered: Counter<ChatApiLabels | 'reason'>;
}

export interface MetricsOptions {
  /** @defaultValue a new Registry */
  registry?: Registry;
  /** Also export Node's process metrics (`process_*`, `nodejs_*`). @defaultValue true */
  processMetrics?: boolean;
  /** Read at every scrape to set `deploybot_queue_depth`: `{queue: {state: count}}`. */
  queueDepth?: () => Promise<Record<string, Record<string, number>>>;
}

export function createMetrics(options: MetricsOptions = {}): DeploybotMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const readQueueDepth = options.queueDepth;
  return {
    registry,
    deploys: new Counter({
      name: 'deploybot_deploys_total',
      help: 'Deploys that ended, by outcome',
      labelNames: ['project', 'market', 'verb', 'outcome'] as const,
      registers,
    }),
    stepDuration: new Histogram({
      name: 'deploybot_step_duration_seconds',
      help: 'Duration of deploy steps',
      labelNames: ['step', 'outcome'] as const,
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'deploybot_queue_depth',
      help: 'Jobs in the deploy queues, by state',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        if (!readQueueDepth) return;
        const depth = await readQueueDepth();
        for (const [queue, states] of Object.entries(depth)) {
          for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
        }
      },
    }),
    chatApiErrors: new Counter({
      name: 'deploybot_chat_api_errors_total',
      help: 'Chat platform API calls that failed',
      labelNames: ['platform', 'method'] as const,
      registers,
    }),
    chatRateLimited: new Counter({
      name: 'deploybot_chat_rate_limited_total',
      help: 'Chat platform API calls that were rate-limited (HTTP 429, or the platform\'s own throttle or quota answers)',
      labelNames: ['platform', 'method'] as const,
      registers,
    }),
    chatUndelivered: new Counter({
      name: 'deploybot_chat_undelivered_total',
      help: 'Chat messages the platform accepted but did not deliver to every target',
      labelNames: ['platform', 'method', 'reason'] as const,
      registers,
    }),
  };
}
