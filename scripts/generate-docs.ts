// `npm run docs`: writes manifest.yaml and docs/commands.md from the command declarations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectCommands } from '../src/cli/project-commands.ts';
import { renderCommandReference, renderSlackManifest } from '../src/docs/render-docs.ts';

const commands = projectCommands();
const root = join(import.meta.dirname, '..');
writeFileSync(join(root, 'manifest.yaml'), renderSlackManifest(commands));
writeFileSync(join(root, 'docs/commands.md'), renderCommandReference(commands));
console.log('wrote manifest.yaml and docs/commands.md');
