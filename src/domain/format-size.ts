// How a size reads in a message (progress, size-span tables, upload notices, dry runs): the one
// formatter, in decimal units (1 kB = 1000 bytes): 24 800 000 bytes → `24.8 MB`.

export function formatDecimalSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`;
}
