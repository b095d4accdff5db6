// The error both release stores raise for a value that fails the checks of
// src/domain/release-value-problem.ts: it names the node (or the file and the key) and what
// is wrong, and says that nothing was done. What to do about it: docs/operations.md,
// "Corrupt release state".
import { DeploybotError } from '../core/errors.ts';

/** `where` is a ZooKeeper path, or `<file>: releases.<release>.<key>` for the embedded store. */
export function corruptReleaseState(where: string, problem: string): DeploybotError {
  return new DeploybotError(
    'release_state_corrupt',
    `corrupt release state: ${where}: ${problem}. Nothing was done; fix or remove that value (docs/operations.md, "Corrupt release state").`,
    { where, problem },
  );
}
