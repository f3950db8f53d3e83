import { freshnessSettings, obtainSettings, parseConfig } from '../../src/app/config.js';
import { testObtainSettings } from '../fakes/settings.js';
import { runFreshnessSettingsContract, runObtainSettingsContract } from './settings.contract.js';

function config(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseConfig(['--docs', '.', ...argv], env);
  if (parsed.ok !== true) throw new Error(`config rejected: ${JSON.stringify(parsed)}`);
  return parsed.config;
}

function acme(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const c = config(argv, env);
  if (!c.acme) throw new Error('no ACME part');
  return c.acme;
}

runObtainSettingsContract('unit-test fixture', () => testObtainSettings());
runObtainSettingsContract('fixture with two names and both challenges', () =>
  testObtainSettings({ domains: testObtainSettings().domains, challenges: ['tls-alpn-01', 'http-01'] }),
);
runObtainSettingsContract('config: one domain, defaults', () =>
  obtainSettings(acme(['--domain', 'docs.example.com'])),
);
runObtainSettingsContract('config: mixed-case, repeated names, both challenges, EAB in base64', () =>
  obtainSettings(
    acme(
      [
        '--domain',
        'Docs.Example.com, www.example.com,docs.example.com',
        '--challenge',
        'tls-alpn-01,http-01,tls-alpn-01',
        '--acme-directory',
        'letsencrypt-staging',
      ],
      { ACME_EAB_KID: 'kid-1', ACME_EAB_HMAC_KEY: 'ab+/cd==' },
    ),
  ),
);

runFreshnessSettingsContract('config: default', () => freshnessSettings(config([])));
runFreshnessSettingsContract('config: 0 (never)', () =>
  freshnessSettings(config(['--refresh-interval', '0'])),
);
runFreshnessSettingsContract('config: 90s', () => freshnessSettings(config(['--refresh-interval', '90s'])));
runFreshnessSettingsContract('config: 2h from the environment', () =>
  freshnessSettings(config([], { REFRESH_INTERVAL: '2h' })),
);
