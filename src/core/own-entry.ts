// Looks a name up in a config map (projects, markets, locations, channels) by own property
// only, so a name from outside — a chat command, an HTTP body — such as `constructor`,
// `__proto__` or `toString` never finds Object.prototype's members.

export function ownEntry<T>(map: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, name) ? map[name] : undefined;
}
