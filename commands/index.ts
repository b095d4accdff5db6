// Every chat command, in the order help lists them. Declarations are data only (no
// imports beyond types), so the grammar in src/core can load them without pulling in
// the runtime.
import type { CommandDeclaration, Verb } from '../src/core/command-types.ts';
import { abort } from './abort.ts';
import { approve } from './approve.ts';
import { build } from './build.ts';
import { cancel } from './cancel.ts';
import { deploy } from './deploy.ts';
import { grayCancel } from './gray-cancel.ts';
import { grayPromote } from './gray-promote.ts';
import { grayStart } from './gray-start.ts';
import { help } from './help.ts';
import { history } from './history.ts';
import { lock } from './lock.ts';
import { pause } from './pause.ts';
import { reject } from './reject.ts';
import { resume } from './resume.ts';
import { retry } from './retry.ts';
import { reviewCancel } from './review-cancel.ts';
import { reviewPromote } from './review-promote.ts';
import { reviewStart } from './review-start.ts';
import { rollback } from './rollback.ts';
import { stats } from './stats.ts';
import { status } from './status.ts';
import { sync } from './sync.ts';
import { unlock } from './unlock.ts';
import { freeze } from './freeze.ts';
import { unfreeze } from './unfreeze.ts';

export const commandDeclarations = [
  deploy,
  grayStart,
  grayCancel,
  grayPromote,
  reviewStart,
  reviewCancel,
  reviewPromote,
  rollback,
  approve,
  reject,
  retry,
  cancel,
  pause,
  resume,
  abort,
  status,
  sync,
  history,
  lock,
  unlock,
  build,
  freeze,
  unfreeze,
  stats,
  help,
] as const satisfies readonly CommandDeclaration[];

// Compile-time check: every verb of the Command union has a declaration.
type Undeclared = Exclude<Verb, (typeof commandDeclarations)[number]['verb']>;
const everyVerbDeclared: [Undeclared] extends [never] ? true : Undeclared = true;
void everyVerbDeclared;
