// The DingTalk app access token (`POST /v1.0/oauth2/accessToken` → {accessToken, expireIn}),
// kept in memory until shortly before it expires. Concurrent callers share one fetch.
import type { Clock } from '../../notify/clock.ts';
import { systemClock } from '../../notify/clock.ts';

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

export class AccessTokenCache {
  #token: string | undefined;
  #expiresAt = 0;
  #inflight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly clock: Clock = systemClock,
    /** Refresh this long before expiry. @defaultValue 5 minutes */
    private readonly marginMs = 5 * 60_000,
  ) {}

  async get(): Promise<string> {
    if (this.#token !== undefined && this.clock.now() < this.#expiresAt) return this.#token;
    this.#inflight ??= this.fetchToken()
      .then(({ token, expiresInSeconds }) => {
        this.#token = token;
        this.#expiresAt = this.clock.now() + Math.max(0, expiresInSeconds * 1000 - this.marginMs);
        return token;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  /**
   * Forget the token (the API said it is invalid). With `token`, only if that is still the
   * cached one: calls that failed together with the same stale token cause one fetch, not one each.
   */
  reset(token?: string): void {
    if (token !== undefined && token !== this.#token) return;
    this.#token = undefined;
    this.#expiresAt = 0;
  }
}
