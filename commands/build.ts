import type { CommandDeclaration } from '../src/core/command-types.ts';

/**
 * `build <project> <ref>`: builds and packages a ref ahead of any deploy (docs/operations.md
 * "Builds made ahead"). Anyone who may send commands may run it: it changes no host and no
 * release, so no lock, approval or pass-in applies; the build runs in the project's sandbox
 * like every build.
 */
export const build: CommandDeclaration<'build'> = {
  verb: 'build',
  words: ['build'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'ref', kind: 'ref' },
  ],
  flags: [],
  summary: 'build and cache the package of <ref> without deploying it; answers with the commit, the package size and how long it took',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
