// Which commands an interactive card's buttons run, kept in Redis under the card's
// outTrackId (any bot process may receive the click), and how a click's
// `cardPrivateData.params` picks one of them. Only a command the card really offered runs.
import type { Redis } from 'ioredis';
import type { Button } from '../../core/chat-types.ts';

export interface StoredCard {
  channel: string;
  buttons: Array<Pick<Button, 'label' | 'command'>>;
}

export class CardButtons {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** @defaultValue 7 days */
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  async save(outTrackId: string, card: StoredCard): Promise<void> {
    await this.redis.set(this.#key(outTrackId), JSON.stringify(card), 'EX', this.ttlSeconds);
  }

  async load(outTrackId: string): Promise<StoredCard | undefined> {
    const text = await this.redis.get(this.#key(outTrackId));
    if (!text) return undefined;
    try {
      return JSON.parse(text) as StoredCard;
    } catch {
      return undefined;
    }
  }

  #key(outTrackId: string): string {
    return `${this.keyPrefix}card:${outTrackId}`;
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
