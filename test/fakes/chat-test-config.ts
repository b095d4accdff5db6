// A small valid config for chat and HTTP tests: two projects, two markets, local hosts,
// channels per project/market and default channels for both platforms.
import { type Config, parseConfig } from '../../config/load-config.ts';

const YAML = `
people:
  alice: { slack: U01ALICE, dingtalk: "0123456", console: alice }
  bob: { slack: U01BOB }
hosts:
  dev-1: { local: hosts/dev-1 }
  br-1:  { local: hosts/br-1 }
markets:
  dev:
    approval: none
    locations:
      main: { role: production, hosts: [dev-1] }
  brazil:
    approval: { approvers: [alice, bob] }
    locations:
      main: { role: production, hosts: [br-1] }
projects:
  mala-core:
    repo: https://git.example.test/mala-core.git
    path: /data/prod/mala-core
    releasesDir: /data/codes/mala-core
    markets: [dev, brazil]
  mala-client:
    repo: https://git.example.test/mala-client.git
    path: /data/prod/mala-client
    releasesDir: /data/codes/mala-client
    markets: [dev, brazil]
  api:
    repo: https://git.example.test/api.git
    path: /data/prod/api
    releasesDir: /data/codes/api
    markets: [dev]
chat:
  slack: { defaultChannel: C0DEFAULT }
  dingtalk: { defaultConversation: cid0default }
  channels:
    mala-core: { brazil: C0BRAZIL }
    mala-client: { dev: C0CLIENTDEV, brazil: C0CLIENTBR }
`;

export function chatTestConfig(): Config {
  const result = parseConfig(YAML, '/nonexistent/deploybot-test/deploybot.yaml', {});
  if (!result.ok) throw new Error(`test config is invalid:\n${result.problems.join('\n')}`);
  return result.config;
}
