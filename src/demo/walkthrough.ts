// `npm run demo -- --script`: a scripted tour of the product through the real console
// adapter, checked as it goes. Each step types a line as a user and looks for what a user
// would see; the tour exits non-zero at the first step that did not behave.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WalkthroughStep {
  /** What this step shows, printed as a heading. */
  title: string;
  user: string;
  /** The line typed; `{name}` is replaced by a value captured earlier. */
  line: string;
  /** Wait for the jobs started so far (as the console's `wait`) before checking. */
  wait?: boolean;
  /** Patterns the output of this step must contain, in any order. */
  expect?: RegExp[];
  /** Captures group 1 of the pattern from this step's output under `name`. */
  capture?: { name: string; pattern: RegExp };
  /** Something done on the demo's machine before the line is typed. */
  before?: () => void;
}

const ID = /(d-\d{8}-\d{4,}) accepted/;

export function walkthroughSteps(hostsDir: string): WalkthroughStep[] {
  const maintenance = join(hostsDir, 'dev-1', 'data', 'MAINTENANCE');
  return [
    { title: 'deploy to dev (no approval there)', user: 'alice', line: 'deploy mala-core dev v1.2', wait: true, expect: [/accepted: deploy mala-core v1\.2 → dev/, /✅ success/] },
    { title: 'deploy to brazil: it needs an approval (the card names people from `people:`)', user: 'alice', line: 'deploy mala-core brazil v1.2', wait: true, expect: [/approval needed/, /requested by: alice/, /approvers: bob \(1 needed\)/, /\[1\] Approve {2}\[2\] Reject/], capture: { name: 'brazil', pattern: ID } },
    { title: 'the requester cannot approve their own deploy', user: 'alice', line: 'press 1', expect: [/You requested d-/] },
    { title: 'a stranger cannot approve', user: 'mallory', line: 'approve {brazil}', expect: [/Only alice, bob may decide/] },
    { title: 'a console user cannot pass for a Slack user: every id is qualified by its platform', user: 'mallory', line: 'as slack:U01BOB', expect: [/"slack:U01BOB" cannot be a console name/] },
    { title: 'an approver approves; the deploy runs', user: 'bob', line: 'press 1', wait: true, expect: [/You approved/, /approved by bob/, /✅ switch 3\/3 ✓/] },
    { title: 'v1.3 passes dev first', user: 'alice', line: 'deploy mala-core dev v1.3', wait: true, expect: [/✅ success/] },
    { title: 'gray start: only the gray host gets v1.3', user: 'alice', line: 'gray start mala-core brazil v1.3', wait: true, expect: [/approval needed/] },
    { title: 'approve the gray start', user: 'bob', line: 'press 1', wait: true, expect: [/✅ switch 1\/1 ✓/] },
    { title: 'a second gray start is refused, naming the active one', user: 'alice', line: 'gray start mala-core brazil v1.3', expect: [/gray v1\.3 \(deploy d-\d{8}-\d{4}.*is already active/] },
    { title: 'status shows gray on br-gray and production elsewhere', user: 'alice', line: 'status mala-core brazil', expect: [/gray: v1\.3/, /production \(default\): v1\.2/] },
    { title: 'gray promote: the same build goes to every production host, in one step', user: 'alice', line: 'gray promote mala-core brazil', wait: true, expect: [/approval needed/] },
    { title: 'approve the promote', user: 'bob', line: 'press 1', wait: true, expect: [/✅ switch 3\/3 ✓/, /from → to|→/] },
    { title: 'review start on the app-store review servers (no approval: they are isolated)', user: 'alice', line: 'review start mala-core brazil appstore v1.4', wait: true, expect: [/✅ success/] },
    { title: 'review promote: production gets v1.4 without a redeploy', user: 'alice', line: 'review promote mala-core brazil appstore', wait: true, expect: [/approval needed/] },
    { title: 'approve the review promote; update packages and their sizes are reported', user: 'bob', line: 'press 1', wait: true, expect: [/production versions are now v1\.2, v1\.3, v1\.4/, /→ v1\.4.*MB/] },
    {
      title: 'a host in maintenance makes a deploy fail',
      user: 'alice',
      line: 'deploy api dev v2',
      wait: true,
      before: () => writeFileSync(maintenance, 'demo\n'),
      expect: [/❌/, /dev-1 is in maintenance/, /retry d-\d{8}-\d{4}/],
      capture: { name: 'failed', pattern: ID },
    },
    { title: 'the host is back; retry finishes the deploy', user: 'alice', line: 'retry {failed}', wait: true, before: () => rmSync(maintenance, { force: true }), expect: [/accepted: retry of/, /✅ success/] },
    {
      title: 'a release that fails its health check is switched back automatically (rollout, health checks)',
      user: 'alice',
      line: 'deploy api dev v3-broken',
      wait: true,
      expect: [/rolled back/, /dev-1: command ! grep -q broken app\/VERSION/],
    },
    { title: 'rollback brazil: a symlink switch back to v1.2, no upload', user: 'alice', line: 'rollback mala-core brazil', wait: true, expect: [/approval needed/] },
    { title: 'approve the rollback', user: 'bob', line: 'press 1', wait: true, expect: [/✅ switch 3\/3 ✓/] },
    { title: 'status after the rollback', user: 'alice', line: 'status mala-core brazil', expect: [/production \(default\): v1\.2/] },
    { title: 'history keeps every command with its outcome', user: 'alice', line: 'history mala-core brazil', expect: [/rollback .*success/, /gray promote .*success/, /review promote .*success/] },
    { title: 'history says why the api deploy rolled back', user: 'alice', line: 'history api dev', expect: [/deploy v3-broken .*rolled-back .*dev-1: command/] },
    { title: 'idn has four platforms (aqq, awx, iqq, iwx): a deploy reaches every one of them', user: 'alice', line: 'deploy mala-core idn v1.2', wait: true, expect: [/approval needed/] },
    { title: 'carol approves the idn deploy', user: 'carol', line: 'press 1', wait: true, expect: [/✅ switch 1\/1 ✓/] },
    { title: 'the app store reviews the iqq and iwx builds only', user: 'alice', line: 'review start mala-core idn appstore v1.4', wait: true, expect: [/✅ success/] },
    { title: 'review promote in idn', user: 'alice', line: 'review promote mala-core idn appstore', wait: true, expect: [/approval needed/] },
    { title: 'approve it: only iqq and iwx gain v1.4, and their update packages are sized per platform', user: 'carol', line: 'press 1', wait: true, expect: [/production versions are now v1\.2, v1\.4/, /iqq: v1\.2 → v1\.4 : .*MB/, /iwx: v1\.2 → v1\.4 : .*MB/] },
    { title: 'status shows each platform\'s versions', user: 'alice', line: 'status mala-core idn', expect: [/aqq: v1\.2$/m, /awx: v1\.2$/m, /iqq: v1\.2, v1\.4$/m, /iwx: v1\.2, v1\.4$/m] },
  ];
}
