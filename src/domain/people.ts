// `people:` of the config (docs/configuration.md#people): a person named once, with their id
// on each platform. Pure lookups: whose is this qualified id, and how is it shown.
import { parseUserId, PLATFORMS, type Platform, qualifyUserId, type UserId } from './user-id.ts';

export type Person = Partial<Record<Platform, string>>;
export type People = Readonly<Record<string, Person>>;

/** The qualified ids of a person, one per platform they have. */
export function userIdsOf(person: Person): UserId[] {
  return PLATFORMS.flatMap((platform) => (person[platform] === undefined ? [] : [qualifyUserId(platform, person[platform])]));
}

export function isPersonName(people: People, name: string): boolean {
  return Object.hasOwn(people, name);
}

/** The name of the person a qualified id belongs to, if `people` knows it. */
export function personOf(people: People, id: string): string | undefined {
  const parsed = parseUserId(id);
  if (!parsed) return undefined;
  for (const [name, person] of Object.entries(people)) {
    if (person[parsed.platform] === parsed.nativeId) return name;
  }
  return undefined;
}

/** How a user is shown in messages: the person's name where `people` knows them, else the qualified id. */
export function displayUser(people: People, id: string): string {
  return personOf(people, id) ?? id;
}

/** The person who has `nativeId` as their id on some platform (the first, in config order). */
export function claimantOf(people: People, nativeId: string): string | undefined {
  for (const [name, person] of Object.entries(people)) {
    if (PLATFORMS.some((platform) => person[platform] === nativeId)) return name;
  }
  return undefined;
}
