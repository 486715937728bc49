// Which backend a set of settings and an environment select (create-client.ts), and the configuration errors that
// stop the server before it serves anything: partial API credentials, a malformed token, a non-http API address.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { hasApiCredentials, readApiCredentials } from '../../src/membrane/api/api-credentials.js';
import { chooseBackend, chooseCallerBackend, DEFAULT_API_URI } from '../../src/membrane/create-client.js';
import { redact } from '../../src/redact.js';

const dir = mkdtempSync(join(tmpdir(), 'mcrm-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cliDir = join(dir, 'bin');
writeFileSync(join(dir, 'membrane'), '#!/bin/sh\n');
chmodSync(join(dir, 'membrane'), 0o755);

const TOKEN = 'pat-choice-token-123456';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6InQifQ.c2lnbmF0dXJl';
const WS = { MEMBRANE_WORKSPACE_KEY: 'ws', MEMBRANE_WORKSPACE_SECRET: 'choice-secret-abcdef', MEMBRANE_TENANT_KEY: 'tenant' };

/** The choice for flags and an environment; `cli: true` puts a `membrane` on PATH. */
function choose(argv: string[], env: NodeJS.ProcessEnv = {}, cli = false) {
  const full = { PATH: cli ? dir : cliDir, ...env };
  const { settings } = loadConfig(argv, full);
  return chooseBackend(settings, { env: full, cwd: dir, sandboxCli: '/pkg/dist/sandbox/cli.js' });
}

const configError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('auto', () => {
  it('API credentials → membrane-api, at Membrane unless MEMBRANE_API_URI says otherwise', () => {
    const c = choose([], { MEMBRANE_ACCESS_TOKEN: TOKEN }, true);
    expect(c).toMatchObject({ kind: 'api', backend: 'membrane-api', api: { apiUri: DEFAULT_API_URI, customApiUri: false } });
    expect(c.reason).toMatch(/API credentials in the environment: MEMBRANE_ACCESS_TOKEN/);
    expect(choose([], { ...WS, MEMBRANE_API_URI: 'http://127.0.0.1:9' })).toMatchObject({
      backend: 'membrane-api',
      api: { apiUri: 'http://127.0.0.1:9', customApiUri: true, credentials: { kind: 'workspace', tenantKey: 'tenant' } },
    });
  });

  it('a token comes before workspace credentials', () => {
    expect(choose([], { MEMBRANE_ACCESS_TOKEN: JWT, ...WS })).toMatchObject({ api: { credentials: { kind: 'token', token: JWT } } });
  });

  it('no credentials, a CLI → membrane-cli; nothing → the sandbox through its REST API, flagged as a fallback', () => {
    expect(choose([], {}, true)).toMatchObject({ kind: 'cli', backend: 'membrane-cli', fallback: false });
    const nothing = choose([], {});
    expect(nothing).toMatchObject({ kind: 'sandbox-api', backend: 'sandbox-api', fallback: true, sandboxCli: '/pkg/dist/sandbox/cli.js' });
    expect(nothing.reason).toMatch(/no API credentials and no Membrane CLI found.*membrane-sandbox serve/);
    expect(choose([], { MEMBRANE_API_URI: 'https://api.example' })).toMatchObject({ backend: 'sandbox-api' });
  });

  it('--sandbox wins over credentials and a CLI: its REST API, or its CLI with --backend=cli', () => {
    expect(choose(['--sandbox'], { MEMBRANE_ACCESS_TOKEN: TOKEN }, true)).toMatchObject({ backend: 'sandbox-api', fallback: false });
    expect(choose(['--sandbox', '--backend=cli'], { MEMBRANE_ACCESS_TOKEN: TOKEN }, true)).toMatchObject({
      kind: 'cli',
      backend: 'sandbox-cli',
      fallback: false,
    });
  });
});

describe('--backend api and cli', () => {
  it('api without credentials stops with the variables it needs', () => {
    expect(configError(() => choose(['--backend=api'], {}, true))).toMatch(
      /--backend=api needs credentials in the environment: MEMBRANE_ACCESS_TOKEN .* or MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET and MEMBRANE_TENANT_KEY/,
    );
  });

  it('api with the sandbox is the REST API of the sandbox (the credentials in the environment are not used)', () => {
    expect(choose(['--sandbox', '--backend=api'], { MEMBRANE_ACCESS_TOKEN: TOKEN })).toMatchObject({
      kind: 'sandbox-api',
      backend: 'sandbox-api',
    });
  });

  it('cli ignores API credentials (even partial ones), and never falls back to demo data', () => {
    expect(choose(['--backend=cli'], { MEMBRANE_ACCESS_TOKEN: TOKEN }, true)).toMatchObject({ backend: 'membrane-cli' });
    expect(choose(['--backend=cli'], { MEMBRANE_WORKSPACE_KEY: 'ws' }, true)).toMatchObject({ backend: 'membrane-cli' });
    const missing = choose([], { MEMBRANE_CRM_BACKEND: 'cli' });
    expect(missing).toMatchObject({ kind: 'cli', backend: 'membrane-cli', fallback: false });
    expect(missing.kind === 'cli' && missing.cli.missing).toBe(true);
  });

  it('an unknown backend is a settings error naming the flag and the variable', () => {
    expect(configError(() => loadConfig(['--backend=grpc'], {}))).toMatch(/backend \(--backend \/ MEMBRANE_CRM_BACKEND\)/);
  });
});

describe('credentials from the environment', () => {
  it('a partial workspace set stops the server naming what is missing', () => {
    expect(configError(() => readApiCredentials({ MEMBRANE_WORKSPACE_KEY: 'ws' }))).toMatch(
      /^MEMBRANE_WORKSPACE_SECRET and MEMBRANE_TENANT_KEY are missing: MEMBRANE_WORKSPACE_KEY is set/,
    );
    expect(configError(() => readApiCredentials({ MEMBRANE_WORKSPACE_KEY: 'ws', MEMBRANE_WORKSPACE_SECRET: 'secret-123456789' }))).toMatch(
      /^MEMBRANE_TENANT_KEY is missing/,
    );
    expect(configError(() => readApiCredentials({ MEMBRANE_WORKSPACE_SECRET: 'secret-123456789', MEMBRANE_TENANT_KEY: 't' }))).toMatch(
      /^MEMBRANE_WORKSPACE_KEY is missing/,
    );
    expect(configError(() => choose([], { MEMBRANE_TENANT_KEY: 't' }, true))).toMatch(
      /MEMBRANE_WORKSPACE_KEY and MEMBRANE_WORKSPACE_SECRET are missing/,
    );
  });

  it('a token that is neither a JWT nor pat- is refused, without showing it', () => {
    const message = configError(() => readApiCredentials({ MEMBRANE_ACCESS_TOKEN: 'not-a-token-value-xyz' }));
    expect(message).toMatch(/MEMBRANE_ACCESS_TOKEN is neither a JWT nor a `pat-` token/);
    expect(message).not.toContain('not-a-token-value-xyz');
  });

  it('empty variables count as unset; whitespace is trimmed', () => {
    expect(hasApiCredentials({ MEMBRANE_ACCESS_TOKEN: '  ' })).toBe(false);
    expect(readApiCredentials({ MEMBRANE_ACCESS_TOKEN: '', MEMBRANE_WORKSPACE_KEY: '' })).toBeUndefined();
    expect(readApiCredentials({ MEMBRANE_ACCESS_TOKEN: ` ${TOKEN}\n` })).toEqual({ kind: 'token', token: TOKEN });
  });

  it('the values read are hidden from every redacted text from then on, whatever they look like', () => {
    const secret = 'Plain-Words-Secret-42';
    readApiCredentials({ MEMBRANE_WORKSPACE_KEY: 'ws', MEMBRANE_WORKSPACE_SECRET: secret, MEMBRANE_TENANT_KEY: 't' });
    expect(redact(`failed with ${secret} in it`)).toBe('failed with [REDACTED] in it');
    expect(redact(`url?s=${encodeURIComponent(`${secret}/+`)}`)).not.toContain(secret);
  });
});

describe('MEMBRANE_API_URI / --api-uri', () => {
  it('must be http or https, without credentials in it', () => {
    for (const bad of ['ftp://api.example', 'api.getmembrane.com', 'file:///etc/passwd', 'https://user:pw@api.example']) {
      const message = configError(() => loadConfig([], { MEMBRANE_API_URI: bad }));
      expect(message).toMatch(/apiUri \(--api-uri \/ MEMBRANE_API_URI\): an http:\/\/ or https:\/\/ URL/);
      expect(message).not.toContain('pw@');
    }
    expect(loadConfig(['--api-uri=http://127.0.0.1:8080/prefix'], {}).settings.apiUri).toBe('http://127.0.0.1:8080/prefix');
  });
});

describe('--http-auth membrane (each caller brings their token)', () => {
  const callerSettings = (env: NodeJS.ProcessEnv = {}) => loadConfig(['--http=0', '--http-auth=membrane'], env).settings;

  it('is the REST API at Membrane or MEMBRANE_API_URI, with no credentials of the server', () => {
    expect(chooseCallerBackend(callerSettings(), {})).toMatchObject({
      backend: 'membrane-api',
      apiUri: DEFAULT_API_URI,
      customApiUri: false,
    });
    const custom = chooseCallerBackend(callerSettings({ MEMBRANE_API_URI: 'http://127.0.0.1:9999' }), {});
    expect(custom).toMatchObject({ apiUri: 'http://127.0.0.1:9999', customApiUri: true });
    expect(custom.reason).toMatch(/each caller's bearer token/);
  });

  it("refuses API credentials of the server's own, naming the variables (never their values)", () => {
    const message = configError(() => chooseCallerBackend(callerSettings(), { MEMBRANE_ACCESS_TOKEN: TOKEN, ...WS }));
    expect(message).toMatch(/unset MEMBRANE_ACCESS_TOKEN, MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET, MEMBRANE_TENANT_KEY/);
    expect(message).not.toContain(TOKEN);
  });

  it('chooseBackend (the doctor) says how to check one caller instead', () => {
    expect(configError(() => chooseBackend(callerSettings(), { env: {}, cwd: dir, sandboxCli: '/x' }))).toMatch(
      /run the doctor without --http-auth and with MEMBRANE_ACCESS_TOKEN=<that token>/,
    );
  });
});
