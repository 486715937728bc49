// loadConfig: defaults, precedence (flag > env > config file > default), every value kind, and errors that
// name the setting and how to set it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, isLoopbackHost, loadConfig, usage } from '../../src/config.js';
import { allowedHostNames } from '../../src/transports/streamable-http.js';

const dir = mkdtempSync(join(tmpdir(), 'mcrm-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes a config file and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const settings = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env).settings;

/** The ConfigError message loadConfig throws. */
function configError(argv: string[], env: Record<string, string> = {}): string {
  try {
    loadConfig(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('with no flags, env or file', () => {
    const loaded = loadConfig([], {});
    expect(loaded.help).toBe(false);
    expect(loaded.version).toBe(false);
    expect(loaded.settings).toEqual({
      connectors: ['amocrm', '1crm'],
      sandbox: false,
      backend: 'auto',
      defaultConnections: {},
      toolMode: 'per-connector',
      readOnly: false,
      allowActions: [],
      denyActions: [],
      denyMethods: [],
      confirm: 'destructive',
      maxResultChars: 20_000,
      cliTimeout: 60,
      cliMaxOutputMb: 16,
      maxConcurrency: 4,
      cache: true,
      logLevel: 'info',
      host: '127.0.0.1',
      httpAllowedHosts: [],
      httpAuth: 'token',
      state: 'memory',
    });
  });

  it('ignores unrelated and empty env vars', () => {
    expect(settings([], { PATH: '/usr/bin', MEMBRANE_CRM_CONNECTORS: '', MEMBRANE_CRM_READ_ONLY: '' })).toMatchObject({
      connectors: ['amocrm', '1crm'],
      readOnly: false,
    });
  });

  it('--help and --version are reported', () => {
    expect(loadConfig(['--help'], {}).help).toBe(true);
    expect(loadConfig(['--version'], {}).version).toBe(true);
  });
});

describe('precedence: flag > env > config file > default', () => {
  it('for an int', () => {
    const file = configFile({ maxConcurrency: 2 });
    expect(settings(['--config', file]).maxConcurrency).toBe(2);
    expect(settings(['--config', file], { MEMBRANE_CRM_MAX_CONCURRENCY: '3' }).maxConcurrency).toBe(3);
    expect(settings(['--config', file, '--max-concurrency', '5'], { MEMBRANE_CRM_MAX_CONCURRENCY: '3' }).maxConcurrency).toBe(5);
  });

  it('for a boolean', () => {
    const file = configFile({ readOnly: true });
    expect(settings(['--config', file]).readOnly).toBe(true);
    expect(settings(['--config', file], { MEMBRANE_CRM_READ_ONLY: '0' }).readOnly).toBe(false);
    expect(settings(['--read-only'], { MEMBRANE_CRM_READ_ONLY: 'false' }).readOnly).toBe(true);
  });

  it('for a list (replaced, not merged)', () => {
    const file = configFile({ denyActions: ['1crm:delete-*'] });
    expect(settings(['--config', file]).denyActions).toEqual(['1crm:delete-*']);
    expect(settings(['--config', file], { MEMBRANE_CRM_DENY_ACTIONS: 'amocrm:*' }).denyActions).toEqual(['amocrm:*']);
    expect(settings(['--config', file, '--deny-actions', 'x:y'], { MEMBRANE_CRM_DENY_ACTIONS: 'amocrm:*' }).denyActions).toEqual(['x:y']);
  });

  it('the config file path can come from the env', () => {
    const file = configFile({ confirm: 'writes' });
    expect(settings([], { MEMBRANE_CRM_CONFIG: file }).confirm).toBe('writes');
  });
});

describe('value kinds', () => {
  it('lists: comma list and repeated flags, trimmed', () => {
    expect(settings(['--connectors', 'amocrm,hubspot']).connectors).toEqual(['amocrm', 'hubspot']);
    expect(settings(['--connectors', 'amocrm', '--connectors', 'hubspot,pipedrive']).connectors).toEqual([
      'amocrm',
      'hubspot',
      'pipedrive',
    ]);
    expect(settings(['--connectors=amocrm']).connectors).toEqual(['amocrm']);
    expect(settings([], { MEMBRANE_CRM_CONNECTORS: ' amocrm , 1crm ,, ' }).connectors).toEqual(['amocrm', '1crm']);
  });

  it('maps: repeated --default-connection and a comma list in the env', () => {
    expect(settings(['--default-connection', 'amocrm=abc', '--default-connection', '1crm=con_2']).defaultConnections).toEqual({
      amocrm: 'abc',
      '1crm': 'con_2',
    });
    expect(settings([], { MEMBRANE_CRM_DEFAULT_CONNECTION: 'amocrm=abc,1crm=def' }).defaultConnections).toEqual({
      amocrm: 'abc',
      '1crm': 'def',
    });
    expect(settings(['--default-connection', 'amocrm=a'], { MEMBRANE_CRM_DEFAULT_CONNECTION: '1crm=b' }).defaultConnections).toEqual({
      amocrm: 'a',
    });
  });

  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
  ])('env boolean %j → %s', (raw, value) => {
    expect(settings([], { MEMBRANE_CRM_SANDBOX: raw }).sandbox).toBe(value);
    expect(settings([], { MEMBRANE_CRM_READ_ONLY: raw }).readOnly).toBe(value);
  });

  it('--no-cache turns the cache off, even when the env turns it on', () => {
    expect(settings(['--no-cache']).cache).toBe(false);
    expect(settings(['--no-cache'], { MEMBRANE_CRM_CACHE: '1' }).cache).toBe(false);
    expect(settings([], { MEMBRANE_CRM_CACHE: 'no' }).cache).toBe(false);
  });

  it('ints and strings from flags and env', () => {
    expect(
      settings(['--cli-timeout', '120', '--log-level', 'debug', '--membrane-cli', '/opt/membrane', '--tool-mode', 'shared']),
    ).toMatchObject({
      cliTimeout: 120,
      logLevel: 'debug',
      membraneCli: '/opt/membrane',
      toolMode: 'shared',
    });
    expect(settings([], { MEMBRANE_CRM_CLI_MAX_OUTPUT_MB: '32', MEMBRANE_CLI: './cli.js', MEMBRANE_CRM_CLI_CWD: '/tmp' })).toMatchObject({
      cliMaxOutputMb: 32,
      membraneCli: './cli.js',
      cliCwd: '/tmp',
    });
  });

  it('boolean flags', () => {
    expect(settings(['--sandbox', '--read-only'])).toMatchObject({ sandbox: true, readOnly: true });
  });
});

describe('invalid values name the setting and where it is set', () => {
  it.each([
    [['--max-concurrency', '0'], {}, ['maxConcurrency', '--max-concurrency', 'MEMBRANE_CRM_MAX_CONCURRENCY']],
    [['--max-concurrency', 'abc'], {}, ['--max-concurrency', 'whole number']],
    [['--confirm', 'maybe'], {}, ['confirm', '--confirm', 'MEMBRANE_CRM_CONFIRM', 'destructive']],
    [['--connectors', 'Bad Key'], {}, ['connectors', '--connectors', 'MEMBRANE_CRM_CONNECTORS']],
    [['--default-connection', 'amocrm'], {}, ['--default-connection', 'connector=connectionId']],
    [['--default-connection', 'amocrm=-bad'], {}, ['defaultConnections', '--default-connection']],
    [['--log-level', 'verbose'], {}, ['logLevel', '--log-level']],
    [['--max-result-chars', '10'], {}, ['maxResultChars', '--max-result-chars']],
    [['--deny-methods', 'GET POST'], {}, ['denyMethods', '--deny-methods']],
    [[], { MEMBRANE_CRM_READ_ONLY: 'maybe' }, ['MEMBRANE_CRM_READ_ONLY', 'true/false']],
    [[], { MEMBRANE_CRM_CLI_TIMEOUT: '0' }, ['cliTimeout', '--cli-timeout', 'MEMBRANE_CRM_CLI_TIMEOUT']],
    [[], { MEMBRANE_CRM_CLI_TIMEOUT: '1.5' }, ['MEMBRANE_CRM_CLI_TIMEOUT', 'whole number']],
    [[], { MEMBRANE_CRM_CONNECTORS: ',' }, ['connectors']],
  ] as [string[], Record<string, string>, string[]][])('%j %j', (argv, env, mentions) => {
    const message = configError(argv, env);
    for (const m of mentions) expect(message).toContain(m);
  });

  it('an unknown flag is a ConfigError without the positional-argument hint', () => {
    const message = configError(['--bogus']);
    expect(message).toContain('--bogus');
    expect(message).not.toMatch(/To specify a positional/);
  });

  it('a positional argument is a ConfigError', () => {
    expect(configError(['serve'])).toContain('serve');
  });

  it('a value given to a boolean flag is a ConfigError', () => {
    expect(configError(['--sandbox=yes'])).toContain('--sandbox');
  });
});

describe('config file errors', () => {
  it('an unknown key is named, with the close match suggested', () => {
    const path = configFile({ denyActons: ['1crm:delete-*'] });
    const message = configError(['--config', path]);
    expect(message).toContain(path);
    expect(message).toContain('"denyActons" is not a known setting');
    expect(message).toContain('did you mean "denyActions"');
  });

  it('a key differing only in case is suggested', () => {
    expect(configError(['--config', configFile({ readonly: true })])).toContain('did you mean "readOnly"');
  });

  it('a far-off unknown key gets no suggestion', () => {
    const message = configError(['--config', configFile({ frobnicate: 1 })]);
    expect(message).toContain('"frobnicate"');
    expect(message).not.toContain('did you mean');
  });

  it('a wrong type in the file names the key and its flag/env', () => {
    const message = configError(['--config', configFile({ readOnly: 'yes' })]);
    expect(message).toMatch(/readOnly \(--read-only \/ MEMBRANE_CRM_READ_ONLY\)/);
  });

  it('a file that is not JSON', () => {
    expect(configError(['--config', configFile('{ readOnly: true ')])).toMatch(/not valid JSON/);
  });

  it.each([['[1,2]'], ['"text"'], ['null'], ['42']])('a file that is not an object: %s', (content) => {
    expect(configError(['--config', configFile(content)])).toMatch(/must contain a JSON object/);
  });

  it('a missing file', () => {
    const message = configError(['--config', join(dir, 'nope.json')]);
    expect(message).toContain('nope.json');
    expect(message).toContain('ENOENT');
  });
});

describe('usage', () => {
  it('lists every setting with its flag and env var, plus --no-cache, --help and --version', () => {
    const text = usage();
    for (const s of SETTINGS) {
      expect(text).toContain(`--${s.flag}`);
      if (s.env) expect(text).toContain(s.env);
    }
    for (const extra of ['--no-cache', '--help', '--version']) expect(text).toContain(extra);
  });

  it('every setting in the schema has a SETTINGS entry (and so a flag)', () => {
    const keys = Object.keys(loadConfig([], {}).settings);
    for (const k of keys) expect(SETTINGS.map((s) => s.key)).toContain(k);
  });
});

describe('default connections must name an enabled connector', () => {
  it('rejects --default-connection for a connector that is not enabled, naming it', () => {
    expect(() => loadConfig(['--connectors', 'amocrm', '--default-connection', 'hubspot=abc123'], {})).toThrow(
      /"hubspot", not among the enabled connectors \(amocrm\)/,
    );
    expect(loadConfig(['--connectors', 'amocrm', '--default-connection', 'amocrm=abc123'], {}).settings.defaultConnections).toEqual({
      amocrm: 'abc123',
    });
  });
});

describe('--http settings', () => {
  it('loopback hosts need no token; other hosts do', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1', 'localhost.example.com'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('port, host, token and allowed hosts from flags and env', () => {
    const s = settings(['--http=8080', '--host=::1'], {
      MEMBRANE_CRM_HTTP_TOKEN: 'a'.repeat(16),
      MEMBRANE_CRM_HTTP_ALLOWED_HOSTS: 'crm.local, localhost',
    });
    expect(s).toMatchObject({ http: 8080, host: '::1', httpToken: 'a'.repeat(16), httpAllowedHosts: ['crm.local', 'localhost'] });
    expect(settings(['--http', '0']).http).toBe(0);
  });

  it('refuses a non-loopback host without a token, only when serving HTTP', () => {
    expect(configError(['--http=3000', '--host=0.0.0.0'])).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*MEMBRANE_CRM_HTTP_TOKEN/);
    expect(settings(['--http=3000', '--host=0.0.0.0', `--http-token=${'x'.repeat(20)}`]).host).toBe('0.0.0.0');
    expect(settings(['--host=0.0.0.0']).http).toBeUndefined();
  });

  it('refuses a short token and an out-of-range port', () => {
    expect(configError(['--http=3000', '--http-token=abc'])).toMatch(
      /httpToken \(--http-token \/ MEMBRANE_CRM_HTTP_TOKEN\): at least 16 characters/,
    );
    expect(configError(['--http=70000'])).toMatch(/http \(--http \/ MEMBRANE_CRM_HTTP_PORT\)/);
    expect(configError(['--http=web'])).toMatch(/--http: expected a whole number/);
  });
});

describe('state store and per-caller credentials', () => {
  it('--state takes memory or a Redis URL, from the flag, env or file', () => {
    expect(settings(['--state=redis://127.0.0.1:6379/2']).state).toBe('redis://127.0.0.1:6379/2');
    expect(settings([], { MEMBRANE_CRM_STATE: 'rediss://app:pw@cache:6380/0' }).state).toBe('rediss://app:pw@cache:6380/0');
    expect(settings([`--config=${configFile({ state: 'memory' })}`]).state).toBe('memory');
    expect(configError(['--state=postgres://db/0'])).toMatch(/state \(--state \/ MEMBRANE_CRM_STATE\): a redis:\/\/ or rediss:\/\/ URL/);
    expect(configError(['--state=redis://cache:6379/zero'])).toMatch(/database number/);
  });

  it('--http-auth membrane: with --http, on any host without --http-token', () => {
    const s = settings(['--http=3000', '--http-auth=membrane', '--host=0.0.0.0']);
    expect(s).toMatchObject({ httpAuth: 'membrane', host: '0.0.0.0' });
    expect(settings([], { MEMBRANE_CRM_HTTP_AUTH: 'membrane', MEMBRANE_CRM_HTTP_PORT: '0' }).httpAuth).toBe('membrane');
    expect(configError(['--http-auth=oauth'])).toMatch(/httpAuth \(--http-auth \/ MEMBRANE_CRM_HTTP_AUTH\)/);
  });

  it('--http-auth membrane refuses the combinations that make no sense, saying what to drop', () => {
    expect(configError(['--http-auth=membrane'])).toMatch(/is for --http/);
    expect(configError(['--http=3000', '--http-auth=membrane', `--http-token=${'x'.repeat(20)}`])).toMatch(
      /no room for a shared --http-token: drop MEMBRANE_CRM_HTTP_TOKEN/,
    );
    expect(configError(['--http=3000', '--http-auth=membrane', '--sandbox'])).toMatch(/drop --sandbox/);
    expect(configError(['--http=3000', '--http-auth=membrane', '--backend=cli'])).toMatch(/drop --backend=cli/);
  });

  it('the non-loopback refusal names --http-auth membrane as a way out', () => {
    expect(configError(['--http=3000', '--host=0.0.0.0'])).toMatch(/--http-auth membrane/);
  });

  it('the --host description states both ways a non-loopback address is accepted, and each is', () => {
    const host = SETTINGS.find((s) => s.key === 'host')!;
    expect(host.description).toMatch(/`--http-token`, or `--http-auth membrane`/);
    expect(settings(['--http=3000', '--host=0.0.0.0', `--http-token=${'x'.repeat(20)}`]).host).toBe('0.0.0.0');
    expect(settings(['--http=3000', '--host=0.0.0.0', '--http-auth=membrane']).host).toBe('0.0.0.0');
    expect(configError(['--http=3000', '--host=0.0.0.0'])).toMatch(/not a loopback address/);
  });
});

describe('start-up problems that are settings errors', () => {
  it('two connectors that would share a tool prefix', () => {
    expect(configError(['--connectors=1crm,onecrm'])).toMatch(
      /connectors \(--connectors \/ MEMBRANE_CRM_CONNECTORS\): Connectors "1crm" and "onecrm" would both use the tool prefix "onecrm"/,
    );
  });

  it('--help and --version answer even when the environment holds a bad setting', () => {
    expect(loadConfig(['--help'], { MEMBRANE_CRM_MAX_CONCURRENCY: 'abc' }).help).toBe(true);
    expect(loadConfig(['--version', '--http=1', '--host=0.0.0.0'], {}).version).toBe(true);
  });
});

describe('http allowed hosts and config-file secrets', () => {
  it('refuses an allowed host with a scheme or a port', () => {
    expect(configError(['--http-allowed-hosts=crm.internal:3000'])).toMatch(/without scheme or port/);
    expect(configError(['--http-allowed-hosts=http://crm.internal'])).toMatch(/without scheme or port/);
    expect(settings(['--http-allowed-hosts=CRM.internal,[::1]']).httpAllowedHosts).toEqual(['CRM.internal', '[::1]']);
  });

  it('a config file that is not JSON is reported without quoting its content (it may hold a token)', () => {
    const path = configFile('{"httpToken": supersecret-value-123456}');
    const message = configError([`--config=${path}`]);
    expect(message).toMatch(/is not valid JSON \(Unexpected token/);
    expect(message).not.toContain('supersecret');
  });
});

describe('allowedHostNames (DNS-rebinding allow-list)', () => {
  it('defaults to the loopback names on a loopback host, and to none elsewhere', () => {
    expect(allowedHostNames('127.0.0.1', [])).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(allowedHostNames('127.0.0.2', [])).toEqual(['localhost', '127.0.0.1', '[::1]', '127.0.0.2']);
    expect(allowedHostNames('0.0.0.0', [])).toBeUndefined();
    expect(allowedHostNames('0.0.0.0', ['CRM.Internal'])).toEqual(['crm.internal']);
  });
});
