// The one remote command that receives a package on an SSH host: the .tar.gz arrives on
// stdin and is hashed and unpacked in the same pass (tee into a FIFO that tar reads), so the
// bytes are neither written to disk as an archive nor read back twice. The directory it
// unpacks into is replaced first and removed again unless the sha256 of every byte received
// equals the expected one and tar succeeded: the caller only renames it into place after
// that (docs/reference/deploy-lifecycle.md, "Distribute"). Values are positional parameters.
import { shScript } from '../quote-shell-arg.ts';

/** Exit status: what arrived does not have the expected sha256 (stdout: the actual one). */
export const RECEIVED_CHECKSUM_MISMATCH = 5;
/** Exit status: tar could not unpack what arrived (stderr: tar's message). */
export const RECEIVED_UNPACK_FAILED = 6;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// `openssl dgst` uses the CPU's SHA instructions (several times faster than coreutils'
// sha256sum here); it is used only when it hashes the empty input right, else sha256sum.
// Whatever tar leaves unread of the FIFO is drained (`cat`), so tee is never cut off and the
// hash always covers every byte received (any POSIX tee, GNU or busybox).
const SCRIPT = [
  'set -u',
  'dir=$1 want=$2 fifo=$1.fifo',
  'rm -rf -- "$dir" "$fifo" && mkdir -p -- "$dir" && mkfifo -m 600 -- "$fifo" || exit 1',
  'h=$(openssl dgst -sha256 -r </dev/null 2>/dev/null) || h=',
  `if [ "\${h%% *}" = ${EMPTY_SHA256} ]; then hasher='openssl dgst -sha256 -r'; else hasher=sha256sum; fi`,
  '{ tar -xzf - --no-same-owner -C "$dir" >/dev/null; s=$?; cat >/dev/null; exit "$s"; } <"$fifo" &',
  'untar=$!',
  'actual=$(tee -- "$fifo" | $hasher) || actual=',
  'wait "$untar"; status=$?',
  'rm -f -- "$fifo"',
  'actual=${actual%% *}',
  `if [ "$actual" != "$want" ]; then rm -rf -- "$dir"; echo "$actual"; exit ${RECEIVED_CHECKSUM_MISMATCH}; fi`,
  `if [ "$status" -ne 0 ]; then rm -rf -- "$dir"; exit ${RECEIVED_UNPACK_FAILED}; fi`,
].join('\n');

/** argv of the receiving command: unpack stdin into `intoDir` if its sha256 is `expectedSha256`. */
export function receivePackageArgv(intoDir: string, expectedSha256: string): string[] {
  return shScript(SCRIPT, intoDir, expectedSha256);
}
