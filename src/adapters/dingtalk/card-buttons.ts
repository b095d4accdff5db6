// Which commands an interactive card's buttons run, kept in Redis under the card's
// outTrackId (any bot process may receive the click), and how a click's
// `cardPrivateData.params` picks one of them. Only a command the card really offered runs.
import type { Redis } from 'ioredis';
import type { Button } from '../../core/chat-types.ts';
import { ExpiringJsonKeys } from './expiring-json-keys.ts';

export interface StoredCard {
  channel: string;
  buttons: Array<Pick<Button, 'label' | 'command'>>;
}

export class CardButtons {
  readonly #cards: ExpiringJsonKeys<StoredCard>;

  /** `ttlSeconds` @defaultValue 7 days */
  constructor(redis: Redis, keyPrefix: string, ttlSeconds = 7 * 24 * 3600) {
    this.#cards = new ExpiringJsonKeys(redis, keyPrefix, 'card', ttlSeconds);
  }

  save(outTrackId: string, card: StoredCard): Promise<void> {
    return this.#cards.set(outTrackId, card);
  }

  load(outTrackId: string): Promise<StoredCard | undefined> {
    return this.#cards.get(outTrackId);
  }
}

/** The command a click chose: params `command` (must be one of the card's), `index` (1-based) or `action` (a verb or label). */
export function resolveCardCommand(card: StoredCard, params: Record<string, unknown>): string | undefined {
  const commands = card.buttons.map((button) => button.command);
  if (typeof params.command === 'string') return commands.includes(params.command.trim()) ? params.command.trim() : undefined;
  const index = Number(params.index ?? params.button);
  if (Number.isInteger(index) && index >= 1) return commands[index - 1];
  if (typeof params.action === 'string') {
    const action = params.action.trim().toLowerCase();
    const match = card.buttons.find((button) => button.command.split(/\s+/, 1)[0]?.toLowerCase() === action || button.label.toLowerCase() === action);
    return match?.command;
  }
  return undefined;
}
