// `npm run docs`: writes manifest.yaml and docs/commands.md from the command declarations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCommandReference, renderSlackManifest } from '../src/docs/render-docs.ts';

const root = join(import.meta.dirname, '..');
writeFileSync(join(root, 'manifest.yaml'), renderSlackManifest());
writeFileSync(join(root, 'docs/commands.md'), renderCommandReference());
console.log('wrote manifest.yaml and docs/commands.md');
