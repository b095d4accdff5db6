// A name from the config (docs/configuration.md): a project, market, channel, release
// location or person — letters, digits, ".", "_" and "-", starting with a letter or digit.
// The same names become ZooKeeper nodes, directories of the embedded store and release names
// (`review-<channel>`), so every layer checks them with this one pattern.

export const CONFIG_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The config schema's message for a name that does not match. */
export const CONFIG_NAME_RULE = 'must be letters, digits, ".", "_" or "-"';

export function isConfigName(text: string): boolean {
  return CONFIG_NAME_PATTERN.test(text);
}
