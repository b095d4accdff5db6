// How a duration reads in a message (answers, timeouts, the deploy log, errors): the one
// formatter. Under a second in milliseconds, under ten seconds to a tenth, then whole seconds,
// then minutes and seconds. The progress message's running clock (`42s`, `1m 05s`,
// src/notify/message-text.ts formatElapsed) is a different thing: a fixed-width clock.

export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 10_000) return Number.isInteger(value / 1000) ? `${value / 1000} s` : `${(value / 1000).toFixed(1)} s`;
  const seconds = Math.round(value / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
