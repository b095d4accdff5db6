// Validation of one positional argument by its kind (command-types.ts ArgumentKind).
// Names are looked up with Object.hasOwn, so `constructor` or `__proto__` is never a project.
// Names are exact (case-sensitive, as in the config); a case-only mismatch gets a hint.
import type { Config } from '../../config/load-config.ts';
import type { ArgumentKind } from './command-types.ts';
import { listNames, quoteWord } from './quote-word.ts';
import { reviewChannels } from './target-location.ts';
import { isDeployId } from '../domain/deploy-id.ts';
import { refProblem } from '../domain/ref-rules.ts';
import { isFreezeEnd } from '../domain/freeze-end.ts';

export type ArgumentCheck = { ok: true; value: string | number } | { ok: false; error: string };

/** The fields parsed so far: a market is checked against the project before it, a channel against the market. */
export type ParsedFields = Record<string, unknown>;

export const MAX_COUNT = 100;
export const MAX_TEXT_LENGTH = 500;

export function validateArgument(kind: ArgumentKind, raw: string, config: Config, fields: ParsedFields): ArgumentCheck {
  switch (kind) {
    case 'project':
      return validateProject(raw, config);
    case 'market':
      return validateMarket(raw, config, fields);
    case 'channel':
      return validateChannel(raw, config, fields);
    case 'ref': {
      const problem = refProblem(raw, quoteWord);
      return problem ? fail(`ref ${quoteWord(raw)}: ${problem}`) : pass(raw);
    }
    case 'deployId':
      return isDeployId(raw) ? pass(raw) : fail(`invalid deploy id ${quoteWord(raw)}; deploy ids look like d-20261121-0042`);
    case 'count':
      return validateCount(raw);
    case 'text':
      return validateText(raw);
    case 'topic':
      return pass(cleanText(raw).replace(/^\//, '').toLowerCase());
    case 'freezeScope':
      return raw === 'all' ? pass(raw) : validateMarket(raw, config, {});
    case 'freezeEnd':
      return isFreezeEnd(raw) ? pass(raw) : fail(`${quoteWord(raw)} is neither a duration (2h, 3d) nor an ISO time with an offset (2026-12-27T00:00+08:00)`);
  }
}

function validateProject(raw: string, config: Config): ArgumentCheck {
  if (Object.hasOwn(config.projects, raw)) return pass(raw);
  return fail(`unknown project ${quoteWord(raw)}${hint(raw, Object.keys(config.projects), 'projects')}`);
}

function validateMarket(raw: string, config: Config, fields: ParsedFields): ArgumentCheck {
  const project = typeof fields.project === 'string' && Object.hasOwn(config.projects, fields.project) ? fields.project : undefined;
  if (!Object.hasOwn(config.markets, raw)) {
    const candidates = project ? config.projects[project]!.markets : Object.keys(config.markets);
    return fail(`unknown market ${quoteWord(raw)}${hint(raw, candidates, 'markets')}`);
  }
  if (project && !config.projects[project]!.markets.includes(raw)) {
    return fail(`project ${quoteWord(project)} is not enabled in market ${quoteWord(raw)}; its markets: ${listNames(config.projects[project]!.markets)}`);
  }
  return pass(raw);
}

function validateChannel(raw: string, config: Config, fields: ParsedFields): ArgumentCheck {
  const market = typeof fields.market === 'string' ? fields.market : '';
  const channels = reviewChannels(config, market);
  if (channels.includes(raw)) return pass(raw);
  if (channels.length === 0) return fail(`market ${quoteWord(market)} has no review channels, so ${quoteWord(raw)} is not one`);
  const locations = Object.hasOwn(config.markets, market) ? config.markets[market]!.locations : {};
  const isProduction = Object.hasOwn(locations, raw) && locations[raw]!.role === 'production';
  const what = isProduction ? `${quoteWord(raw)} is the production location of ${quoteWord(market)}, not a review channel` : `unknown review channel ${quoteWord(raw)} in market ${quoteWord(market)}`;
  return fail(`${what}; review channels: ${listNames(channels)}`);
}

function validateCount(raw: string): ArgumentCheck {
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (Number.isInteger(value) && value >= 1 && value <= MAX_COUNT) return pass(value);
  return fail(`count ${quoteWord(raw)} must be a whole number from 1 to ${MAX_COUNT}`);
}

function validateText(raw: string): ArgumentCheck {
  const text = cleanText(raw);
  if (text.length > MAX_TEXT_LENGTH) return fail(`text ${quoteWord(text)} is longer than ${MAX_TEXT_LENGTH} characters`);
  return pass(text);
}

/**
 * Free text as kept: control characters and bidi overrides removed (they could hide or
 * reorder what others read), every run of whitespace (newlines included) made one space.
 */
export function cleanText(raw: string): string {
  return raw.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, ' ').replace(/[\s\u0085]+/gu, ' ').trim();
}

/** `; did you mean "x"?` for a case-only mismatch, else the known names. */
function hint(raw: string, names: readonly string[], what: string): string {
  const sameLetters = names.find((name) => name.toLowerCase() === raw.toLowerCase());
  if (sameLetters) return `; did you mean ${quoteWord(sameLetters)}?`;
  return names.length > 0 ? `; known ${what}: ${listNames(names)}` : '';
}

function pass(value: string | number): ArgumentCheck {
  return { ok: true, value };
}

function fail(error: string): ArgumentCheck {
  return { ok: false, error };
}
