// The doctor's ready-to-paste client configuration: the same server, the same explicit settings, quoted
// so that JSON, TOML and a POSIX shell read back exactly the paths and values given.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../../src/config.js';
import {
  flagKeys,
  httpConfigFile,
  isNpxCache,
  launchCommand,
  renderClientConfigs,
  settingsEnv,
  shellWord,
  tomlString,
  toolTimeoutSec,
  type LaunchSpec,
} from '../../src/doctor/client-config.js';

const root = mkdtempSync(join(tmpdir(), 'mcrm-doctor-cfg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Paths that break naive quoting in each format. */
const NASTY = [
  '/home/me/My Projects/membrane-crm-mcp/dist/index.js',
  `/tmp/it's "quoted"/dist/index.js`,
  'C:\\Users\\Me\\AppData\\Roaming\\npm\\node_modules\\membrane-crm-mcp\\dist\\index.js',
  '/tmp/tab\there/$HOME/`x`/!bang/*.js',
  '/tmp/ünïcødé/ключ/index.js',
  '/tmp/ctl\u0001\u007f/index.js',
];

const hasTomllib = spawnSync('python3', ['-c', 'import tomllib'], { stdio: 'ignore' }).status === 0;

/** TOML documents as Python's tomllib (a conforming parser) reads them, as JSON (one process for all). */
function parseToml(texts: string[]): unknown[] {
  const script = 'import sys, json, tomllib; print(json.dumps([tomllib.loads(t) for t in json.load(sys.stdin)]))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' })) as unknown[];
}

/** What `sh` passes to a command for a line of words. */
function shellArgs(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

function spec(env: Record<string, string> = {}, entry = '/opt/membrane-crm-mcp/dist/index.js'): LaunchSpec {
  return { command: 'node', args: [entry], env, passEnv: [] };
}

describe('tomlString', () => {
  it('escapes quotes, backslashes and control characters the way TOML basic strings need', () => {
    expect(tomlString('C:\\a "b"')).toBe('"C:\\\\a \\"b\\""');
    expect(tomlString('tab\tnl\n')).toBe('"tab\\tnl\\n"');
    expect(tomlString('del\u007f')).toBe('"del\\u007F"');
    for (const p of NASTY) {
      const t = tomlString(p);
      // No raw character TOML forbids in a basic string (controls other than tab, DEL).
      // eslint-disable-next-line no-control-regex -- asserts no control characters reach the config text
      expect(t).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f]/);
      // Every escape used is one TOML shares with JSON, so JSON reads it back as TOML would.
      expect(JSON.parse(t)).toBe(p);
    }
  });

  it.skipIf(!hasTomllib)('a conforming TOML parser reads back every path and env value', () => {
    const tomls = NASTY.map(
      (p) =>
        renderClientConfigs(spec({ MEMBRANE_CLI: p, MEMBRANE_CRM_CONNECTORS: 'amocrm,1crm' }, p), { settings: { cliTimeout: 60 } }).codex
          .toml,
    );
    const docs = parseToml(tomls) as {
      mcp_servers: Record<
        string,
        { command: string; args: string[]; env: Record<string, string>; tool_timeout_sec: number; startup_timeout_sec: number }
      >;
    }[];
    for (const [i, p] of NASTY.entries()) {
      const server = docs[i].mcp_servers['membrane-crm'];
      expect(server.command).toBe('node');
      expect(server.args).toEqual([p]);
      expect(server.env).toEqual({ MEMBRANE_CLI: p, MEMBRANE_CRM_CONNECTORS: 'amocrm,1crm' });
      expect(server.tool_timeout_sec).toBe(120);
      expect(server.startup_timeout_sec).toBe(20);
    }
  });
});

describe('JSON and shell snippets', () => {
  it('mcp.json for Claude Code and Cursor parses back to the same command, args and env', () => {
    for (const p of NASTY) {
      const cfg = renderClientConfigs(spec({ MEMBRANE_CLI: p }, p), { settings: { cliTimeout: 60 } });
      for (const text of [cfg.claudeCode.mcpJson, cfg.cursor.mcpJson]) {
        expect(JSON.parse(text)).toEqual({ mcpServers: { 'membrane-crm': { command: 'node', args: [p], env: { MEMBRANE_CLI: p } } } });
      }
    }
  });

  it.skipIf(process.platform === 'win32')('`claude mcp add` and `codex mcp add` lines survive a POSIX shell word for word', () => {
    for (const p of NASTY.filter((x) => !x.includes('\u0001'))) {
      const cfg = renderClientConfigs(spec({ MEMBRANE_CLI: p, MEMBRANE_CRM_SANDBOX: '1' }, p), {
        settings: { cliTimeout: 60 },
        platform: 'linux',
      });
      const claude = shellArgs(cfg.claudeCode.addCommand);
      // -s user (every project) before the name, the name before -e (which takes several values).
      expect(claude).toEqual([
        'claude',
        'mcp',
        'add',
        '-s',
        'user',
        'membrane-crm',
        '-e',
        `MEMBRANE_CLI=${p}`,
        '-e',
        'MEMBRANE_CRM_SANDBOX=1',
        '--',
        'node',
        p,
      ]);
      const codex = shellArgs(cfg.codex.addCommand);
      expect(codex).toEqual([
        'codex',
        'mcp',
        'add',
        'membrane-crm',
        '--env',
        `MEMBRANE_CLI=${p}`,
        '--env',
        'MEMBRANE_CRM_SANDBOX=1',
        '--',
        'node',
        p,
      ]);
    }
  });

  it('leaves plain words unquoted and quotes the rest', () => {
    expect(shellWord('/usr/lib/node_modules/x/dist/index.js', 'linux')).toBe('/usr/lib/node_modules/x/dist/index.js');
    expect(shellWord('a b', 'linux')).toBe("'a b'");
    expect(shellWord("it's", 'linux')).toBe(`'it'\\''s'`);
    expect(shellWord('C:\\Program Files\\x', 'win32')).toBe('"C:\\Program Files\\x"');
    expect(shellWord('C:\\tools\\x.js', 'win32')).toBe('C:\\tools\\x.js');
  });

  it('no env table, no -e flags when nothing was set explicitly', () => {
    const cfg = renderClientConfigs(spec(), { settings: { cliTimeout: 60 } });
    expect(cfg.codex.toml).not.toContain('.env]');
    expect(cfg.claudeCode.addCommand).toBe('claude mcp add -s user membrane-crm -- node /opt/membrane-crm-mcp/dist/index.js');
    expect(cfg.codex.addCommand).toBe('codex mcp add membrane-crm -- node /opt/membrane-crm-mcp/dist/index.js');
    expect(JSON.parse(cfg.cursor.mcpJson).mcpServers['membrane-crm'].env).toEqual({});
  });
});

describe('launch command', () => {
  it('node + the absolute entry from a clone or an install', () => {
    expect(
      launchCommand({ serverEntry: '/usr/lib/node_modules/membrane-crm-mcp/dist/index.js', version: '0.1.0', platform: 'linux' }),
    ).toEqual({
      command: 'node',
      args: ['/usr/lib/node_modules/membrane-crm-mcp/dist/index.js'],
    });
  });

  it('npx with the pinned version from npx cache (POSIX and Windows paths); cmd /c on Windows', () => {
    const posixEntry = '/home/me/.npm/_npx/1a2b3c/node_modules/membrane-crm-mcp/dist/index.js';
    const winEntry = 'C:\\Users\\me\\AppData\\Local\\npm-cache\\_npx\\1a2b\\node_modules\\membrane-crm-mcp\\dist\\index.js';
    expect(isNpxCache(posixEntry)).toBe(true);
    expect(isNpxCache(winEntry)).toBe(true);
    expect(isNpxCache('/home/me/src/membrane-crm-mcp/dist/index.js')).toBe(false);
    expect(launchCommand({ serverEntry: posixEntry, version: '1.2.3', platform: 'darwin' })).toEqual({
      command: 'npx',
      args: ['-y', 'membrane-crm-mcp@1.2.3'],
    });
    expect(launchCommand({ serverEntry: winEntry, version: '1.2.3', platform: 'win32' })).toEqual({
      command: 'cmd',
      args: ['/c', 'npx', '-y', 'membrane-crm-mcp@1.2.3'],
    });
  });
});

describe('settingsEnv: the settings the user gave, as env vars', () => {
  const cwd = join(root, 'work');

  function envFor(argv: string[], env: NodeJS.ProcessEnv = {}, backend: 'membrane-cli' | 'sandbox-cli' = 'membrane-cli') {
    const { settings } = loadConfig(argv, env);
    return settingsEnv({ argv, env, settings, cwd, backend });
  }

  it('nothing given → nothing in env (defaults stay defaults)', () => {
    expect(envFor([])).toEqual({});
  });

  it('flags of every kind become their env var, in the SETTINGS order', () => {
    const env = envFor([
      '--sandbox',
      '--connectors=amocrm',
      '--connectors',
      '1crm',
      '--default-connection',
      'amocrm=abc123',
      '--read-only',
      '--confirm=writes',
      '--cli-timeout=90',
      '--cli-max-output-mb=2.5',
      '--no-cache',
      '--deny-methods=DELETE,1crm:PUT',
    ]);
    expect(env).toEqual({
      MEMBRANE_CRM_CONNECTORS: 'amocrm,1crm',
      MEMBRANE_CRM_SANDBOX: '1',
      MEMBRANE_CRM_DEFAULT_CONNECTION: 'amocrm=abc123',
      MEMBRANE_CRM_READ_ONLY: '1',
      MEMBRANE_CRM_DENY_METHODS: 'DELETE,1crm:PUT',
      MEMBRANE_CRM_CONFIRM: 'writes',
      MEMBRANE_CRM_CLI_TIMEOUT: '90',
      MEMBRANE_CRM_CLI_MAX_OUTPUT_MB: '2.5',
      MEMBRANE_CRM_CACHE: '0',
    });
    expect(Object.keys(env)).toEqual(
      Object.keys(env)
        .slice()
        .sort((a, b) => order(a) - order(b)),
    );
  });

  it('env vars given to doctor are kept; a flag overrides one with its own value', () => {
    const env = envFor(['--tool-mode=shared'], { MEMBRANE_CRM_TOOL_MODE: 'per-connector', MEMBRANE_CRM_READ_ONLY: 'yes', UNRELATED: 'x' });
    expect(env).toEqual({ MEMBRANE_CRM_TOOL_MODE: 'shared', MEMBRANE_CRM_READ_ONLY: '1' });
  });

  it('paths become absolute the way the server resolves them', () => {
    const env = envFor(['--membrane-cli=bin/membrane', '--cli-cwd=proj'], {});
    // --membrane-cli is relative to the CLI's working directory, --cli-cwd to the start directory.
    expect(env).toEqual({ MEMBRANE_CLI: resolve(cwd, 'proj', 'bin/membrane'), MEMBRANE_CRM_CLI_CWD: resolve(cwd, 'proj') });
  });

  it('a config file is passed on by absolute path, its keys are not copied', () => {
    const file = join(root, 'cfg.json');
    writeFileSync(file, JSON.stringify({ readOnly: true, denyActions: ['1crm:delete-*'] }));
    const { settings } = loadConfig([`--config=${file}`], {});
    const env = settingsEnv({ argv: [`--config=${file}`], env: {}, settings, cwd, backend: 'membrane-cli' });
    expect(env).toEqual({ MEMBRANE_CRM_CONFIG: file });
  });

  it('a config file that sets HTTP keys is not passed on: its other keys become env vars (lists comma-joined, maps k=v, booleans 1/0)', () => {
    const file = join(root, 'cfg-http.json');
    const token = 'sekrit-sekrit-sekrit-sekrit';
    writeFileSync(
      file,
      JSON.stringify({
        httpToken: token,
        connectors: ['amocrm', '1crm'],
        defaultConnections: { amocrm: 'a1', '1crm': 'o1' },
        cache: false,
        sandbox: true,
        membraneCli: 'bin/membrane',
        maxResultChars: 9000,
      }),
    );
    const argv = [`--config=${file}`, '--max-result-chars=12000'];
    const { settings } = loadConfig(argv, {});
    const env = settingsEnv({ argv, env: {}, settings, cwd, backend: 'membrane-cli' });
    expect(env).toEqual({
      MEMBRANE_CRM_CONNECTORS: 'amocrm,1crm',
      MEMBRANE_CLI: resolve(cwd, 'bin/membrane'),
      MEMBRANE_CRM_SANDBOX: '1',
      MEMBRANE_CRM_DEFAULT_CONNECTION: 'amocrm=a1,1crm=o1',
      MEMBRANE_CRM_MAX_RESULT_CHARS: '12000',
      MEMBRANE_CRM_CACHE: '0',
    });
    expect(JSON.stringify(env)).not.toContain('sekrit');
    expect(httpConfigFile(settings)).toEqual({ keys: expect.any(Object), httpKeys: ['httpToken'], commaLists: [] });
    // Read back, the env vars give the server the same settings, on stdio.
    const again = loadConfig([], env).settings;
    expect({ ...again, membraneCli: undefined }).toEqual({ ...settings, config: undefined, httpToken: undefined, membraneCli: undefined });
    expect(again.http).toBeUndefined();
  });

  it('a config file given by env var with HTTP keys: the same', () => {
    const file = join(root, 'cfg-http-env.json');
    writeFileSync(file, JSON.stringify({ http: 0, readOnly: true }));
    const { settings } = loadConfig([], { MEMBRANE_CRM_CONFIG: file });
    expect(settingsEnv({ argv: [], env: { MEMBRANE_CRM_CONFIG: file }, settings, cwd, backend: 'membrane-cli' })).toEqual({
      MEMBRANE_CRM_READ_ONLY: '1',
    });
    expect(httpConfigFile(settings)?.httpKeys).toEqual(['http']);
  });

  it('keeps MEMBRANE_SANDBOX_DB for the sandbox only', () => {
    expect(envFor(['--sandbox'], { MEMBRANE_SANDBOX_DB: 'data/s.db' }, 'sandbox-cli')).toEqual({
      MEMBRANE_CRM_SANDBOX: '1',
      MEMBRANE_SANDBOX_DB: resolve(cwd, 'data/s.db'),
    });
    expect(envFor([], { MEMBRANE_SANDBOX_DB: '/x/s.db' }, 'membrane-cli')).toEqual({});
  });

  it('never carries the HTTP transport or its token into a stdio client configuration', () => {
    const env = envFor(['--http=0', '--read-only'], {
      MEMBRANE_CRM_HTTP_TOKEN: 'sekrit-sekrit-sekrit-sekrit',
      MEMBRANE_CRM_HTTP_HOST: '0.0.0.0',
    });
    expect(env).toEqual({ MEMBRANE_CRM_READ_ONLY: '1' });
    expect(JSON.stringify(env)).not.toContain('sekrit');
  });

  it('flagKeys reads --flag and --flag=value forms, and stops at --', () => {
    expect([...flagKeys(['--sandbox', '--connectors=amocrm', '--no-cache', '--', '--read-only'])].sort()).toEqual([
      'cache',
      'connectors',
      'sandbox',
    ]);
  });
});

describe('tool_timeout_sec', () => {
  it('covers create_action (120 s) and a raised --cli-timeout', () => {
    expect(toolTimeoutSec({ cliTimeout: 60 })).toBe(120);
    expect(toolTimeoutSec({ cliTimeout: 300 })).toBe(330);
    const toml = renderClientConfigs(spec(), { settings: { cliTimeout: 300 } }).codex.toml;
    expect(toml).toMatch(/^tool_timeout_sec = 330$/m);
    expect(toml).toMatch(/^# create_action waits up to 55 s/m);
  });
});

/** Position of an env var in the SETTINGS table. */
const order = (k: string) => SETTINGS.findIndex((s) => s.env === k);
