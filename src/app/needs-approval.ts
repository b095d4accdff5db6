// Whether a deploy waits for an approval (docs/configuration.md, `approval`): the market
// asks for approvals and the verb's declaration says it needs one (commands/, `needsApproval`).
import type { Config } from '../../config/load-config.ts';
import type { CommandDeclaration } from '../core/command-types.ts';
import { ownEntry } from '../core/own-entry.ts';

export function needsApproval(config: Config, market: string, declaration: Pick<CommandDeclaration, 'needsApproval'>): boolean {
  const approval = ownEntry(config.markets, market)?.approval;
  return approval !== undefined && approval !== 'none' && declaration.needsApproval;
}
