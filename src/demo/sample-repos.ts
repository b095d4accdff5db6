// The demo's sample services: small git repositories with a few tags, made on first run
// under the data directory (nothing is fetched from anywhere).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BUILD = `#!/bin/sh
# the sample build: copies the app into dist/ with a build stamp
set -e
rm -rf dist && mkdir -p dist
cp -r app dist/app
echo "version $(cat app/VERSION)" > dist/BUILD_INFO
`;

// The packager contract: make-patch.sh <from> <to> <out> [<platform>] writes the update package
// to <out>; <platform> is empty in a market without platforms (docs/platforms.md).
const MAKE_PATCH = `#!/bin/sh
set -e
from="$1"; to="$2"; out="$3"; platform="$4"
# a stand-in for a real diff tool: the package size grows with the distance between versions
n=$(printf '%s\\n%s\\n' "$from" "$to" | tr -cd '0-9' | wc -c)
head -c $((1200000 + n * 150000)) /dev/zero > "$out"
echo "patch \${platform:+$platform }$from -> $to: $(wc -c < "$out") bytes"
`;

export interface SampleRepo {
  project: string;
  dir: string;
  tags: string[];
}

export function ensureSampleRepos(root: string, projects: Record<string, string[]>): SampleRepo[] {
  return Object.entries(projects).map(([project, tags]) => {
    const dir = join(root, project);
    if (!existsSync(join(dir, '.git'))) createRepo(dir, project, tags);
    return { project, dir, tags };
  });
}

function createRepo(dir: string, project: string, tags: string[]): void {
  mkdirSync(join(dir, 'app'), { recursive: true });
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  mkdirSync(join(dir, 'deploy'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=deploybot demo', '-c', 'user.email=demo@deploybot.invalid', '-c', 'init.defaultBranch=main', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
    });
  git('init', '--quiet');
  writeFileSync(join(dir, 'build.sh'), BUILD, { mode: 0o755 });
  writeFileSync(join(dir, 'scripts', 'make-patch.sh'), MAKE_PATCH, { mode: 0o755 });
  writeFileSync(join(dir, 'deploy', 'config.zoo'), JSON.stringify({ global_url: `https://${project}.example.invalid/`, sections: ['lobby', 'battle'] }, null, 2));
  for (const tag of tags) {
    writeFileSync(join(dir, 'app', 'VERSION'), `${tag}\n`);
    writeFileSync(join(dir, 'app', 'main.txt'), `${project} ${tag}: ${'x'.repeat(64)}\n`);
    git('add', '-A');
    git('commit', '--quiet', '-m', `${project} ${tag}`);
    git('tag', tag);
  }
}
