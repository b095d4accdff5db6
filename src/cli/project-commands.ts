// The project's verbs as one registry value: the wiring (serve, worker, console, demo, docs)
// builds it here from commands/ and passes it to the parser, router, help, job runtime,
// Slack adapter and docs renderer, so src/core and src/app never import commands/.
import { commandDeclarations } from '../../commands/index.ts';
import { CommandRegistry } from '../core/command-registry.ts';

export function projectCommands(): CommandRegistry {
  return new CommandRegistry(commandDeclarations);
}
