// The doctor's verdicts: the exit code, each check's status and fix, the report, and its own flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { connectorFor } from '../../src/connectors.js';
import { connectionFix, connectorChecks } from '../../src/doctor/checks/connections-check.js';
import { latencyCheck, SLOW_MS } from '../../src/doctor/checks/latency-check.js';
import { loginCheck } from '../../src/doctor/checks/login-check.js';
import { accessFromStatus } from '../../src/membrane/cli/cli-status.js';
import { cliHints } from '../../src/membrane/cli/cli-hints.js';
import type { Target } from '../../src/doctor/checks/check-helpers.js';
import { configCheck, nodeCheck } from '../../src/doctor/checks/settings-check.js';
import { attempt, errorCheck, userFix } from '../../src/doctor/checks/check-helpers.js';
import { doctorUsage, httpUrl, runDoctor, splitArgs } from '../../src/doctor/doctor.js';
import { ToolError } from '../../src/errors.js';
import { renderHuman, verdict, type DoctorReport } from '../../src/doctor/report.js';
import { exitCodeFor, type Check } from '../../src/doctor/check-types.js';
import { createLogger } from '../../src/log.js';
import type { ProcessResult } from '../../src/membrane/cli/cli-runner.js';
import type { Connection } from '../../src/membrane/membrane-client.js';
import { ConnectionDirectory } from '../../src/lookups/connection-directory.js';
import { FakeMembraneClient } from '../helpers/fake-membrane-client.js';

const root = mkdtempSync(join(tmpdir(), 'mcrm-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MEMBRANE: Target = { backend: 'membrane-cli', hints: cliHints('membrane', 'membrane-cli'), command: 'membrane' };
const SANDBOX_CMD = 'MEMBRANE_SANDBOX_DB=/tmp/s.db node /pkg/dist/sandbox/cli.js';
const SANDBOX: Target = { backend: 'sandbox-cli', hints: cliHints(SANDBOX_CMD, 'sandbox-cli'), command: SANDBOX_CMD };

/** The tools' own directory (it sorts connections by connector): nothing here calls Membrane. */
const directory = new ConnectionDirectory(new FakeMembraneClient(), {}, createLogger({ level: 'error', write: () => {} }), false);
const sandboxDirectory = directory;

/** The login check of what `status --json` printed, as the doctor gets it through the CLI client. */
const login = (r: ProcessResult, target: Target = MEMBRANE) => {
  const access = accessFromStatus(r, target.command!);
  return { loggedIn: access.loggedIn, check: loginCheck(access, target) };
};

/** The tools' LOGIN_REQUIRED next step, for people. */
const loginFixFor = (cli: string) =>
  `Run \`${cli} login --tenant --clientName=<claude|codex|cursor>\` in a terminal (headless: open the printed URL, then \`${cli} login complete <code>\`), then run doctor again.`;

function conn(id: string, connectorKey: string, state = 'READY', extra: Partial<Connection> = {}): Connection {
  return { id, name: `${connectorKey} ${id}`, state, disconnected: state !== 'READY', connectorKey, ...extra };
}

function result(stdout: string, exitCode = 0, stderr = ''): ProcessResult {
  return { exitCode, stdout, stderr, durationMs: 5 };
}

const statuses = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('exit code', () => {
  it('0 when nothing fails (warnings and skips allowed), 1 when any check fails', () => {
    expect(exitCodeFor([])).toBe(0);
    expect(exitCodeFor([{ status: 'ok' }, { status: 'warn' }, { status: 'skip' }])).toBe(0);
    expect(exitCodeFor([{ status: 'ok' }, { status: 'fail' }, { status: 'warn' }])).toBe(1);
  });

  it('the verdict line matches', () => {
    const c = (status: Check['status']): Check => ({ id: 'x', title: 'X', status, summary: '' });
    expect(verdict([c('ok')])).toMatch(/^✓ Ready to use/);
    expect(verdict([c('ok'), c('warn')])).toMatch(/^! Usable, with 1 warning/);
    expect(verdict([c('fail'), c('fail'), c('warn')])).toBe(
      '✗ Not usable: 2 problems to fix and 1 warning (below), then run doctor again.',
    );
  });
});

describe('node and settings', () => {
  it('Node 20+ passes, older fails with what to install', () => {
    expect(nodeCheck('20.0.0').status).toBe('ok');
    expect(nodeCheck('22.11.0').status).toBe('ok');
    const old = nodeCheck('18.19.1');
    expect(old.status).toBe('fail');
    expect(old.fix).toMatch(/nvm install 20/);
  });

  it('settings show connectors, tool mode, read-only and confirm; many connectors per-connector warn', () => {
    const ok = configCheck(loadConfig(['--read-only', '--confirm=writes'], {}).settings);
    expect(ok.status).toBe('ok');
    expect(ok.summary).toBe('connectors amocrm, 1crm; tool mode per-connector; read-only on; confirm writes; CLI timeout 60 s');
    const many = configCheck(loadConfig(['--connectors=a1,b1,c1,d1,e1,f1,g1'], {}).settings);
    expect(many.status).toBe('warn');
    expect(many.fix).toMatch(/--tool-mode=shared/);
  });

  it('never shows the HTTP token', () => {
    const c = configCheck(loadConfig(['--http=0'], { MEMBRANE_CRM_HTTP_TOKEN: 'abcdefghijklmnopqrstuvwxyz' }).settings);
    expect(JSON.stringify(c)).not.toContain('abcdefghijklmnop');
    expect(c.details?.join('\n')).toMatch(/bearer token set/);
  });
});

describe('login', () => {
  it('reads the JSON status of the CLI and the sandbox', () => {
    const ok = login(
      result(
        JSON.stringify({
          loggedIn: true,
          workspaceKey: 'w',
          tenantKey: 't',
          user: { name: 'Ann', email: 'a@x.io' },
          apiUri: 'https://api',
        }),
      ),
      MEMBRANE,
    );
    expect(ok.loggedIn).toBe(true);
    expect(ok.check).toMatchObject({ status: 'ok', summary: 'logged in as Ann <a@x.io> (workspace w, tenant t)' });
    const no = login(result('{"loggedIn": false}'), MEMBRANE);
    expect(no.check.status).toBe('fail');
    // The tools' own next step (membrane/cli/cli-failures.ts), turned into an instruction for people.
    expect(no.check.fix).toBe(loginFixFor('membrane'));
  });

  it('the sandbox fix is its exact command, login complete included', () => {
    const no = login(result('{"loggedIn": false}'), SANDBOX);
    expect(no.check.fix).toBe(loginFixFor(SANDBOX_CMD));
  });

  it('an error envelope or the text "Not logged in" is a failure too', () => {
    const envelope = login(
      result('{"type":"bad_request","key":"not_authenticated","message":"Not logged in. Run `membrane login --tenant`"}', 1),
      MEMBRANE,
    );
    expect(envelope.check.status).toBe('fail');
    expect(login(result('Not logged in\n'), MEMBRANE).check.status).toBe('fail');
    expect(login(result('Logged in as Ann\nAPI: https://api\n'), MEMBRANE).check.status).toBe('ok');
  });

  it('unparseable output is a warning that says how to look', () => {
    const w = login(result('<<garbage>>'), MEMBRANE);
    expect(w.loggedIn).toBeUndefined();
    expect(w.check.status).toBe('warn');
    expect(w.check.fix).toMatch(/`membrane status`/);
    const crashed = login(result('', 139, 'Segmentation fault'), MEMBRANE);
    expect(crashed.check).toMatchObject({ status: 'warn', summary: 'login state unknown: `status --json` exited 139: Segmentation fault' });
  });

  it('redacts what the CLI printed', () => {
    const w = login(result('', 1, 'Error: token=sk-abcdefghijklmnop rejected'), MEMBRANE);
    expect(JSON.stringify(w)).not.toContain('abcdefghijklmnop');
  });
});

describe('connections per connector', () => {
  const settings = (connectors = ['amocrm', '1crm'], defaultConnections: Record<string, string> = {}) => ({
    connectors,
    defaultConnections,
  });

  it('one READY connection each → ok, and the list per connector', () => {
    const r = connectorChecks(settings(), [conn('a1', 'amocrm'), conn('o1', '1crm')], MEMBRANE, directory);
    expect(statuses(r.checks)).toEqual({ 'connections:amocrm': 'ok', 'connections:1crm': 'ok' });
    expect(r.connections).toEqual({
      amocrm: [{ id: 'a1', name: 'amocrm a1', state: 'READY' }],
      '1crm': [{ id: 'o1', name: '1crm o1', state: 'READY' }],
    });
  });

  it('a connector without a connection warns with the connect command while another works', () => {
    const r = connectorChecks(settings(), [conn('a1', 'amocrm')], MEMBRANE, directory);
    expect(statuses(r.checks)).toEqual({ 'connections:amocrm': 'ok', 'connections:1crm': 'warn' });
    expect(r.checks[1].fix).toBe(
      'Run `membrane connect --connectorKey=1crm` (it opens a browser to authorize 1CRM), then run doctor again.',
    );
  });

  it('no READY connection anywhere → every connector fails, each with its fix', () => {
    const r = connectorChecks(
      settings(),
      [conn('a1', 'amocrm', 'CLIENT_ACTION_REQUIRED', { clientAction: { uiUrl: 'https://ui/re' } })],
      SANDBOX,
      sandboxDirectory,
    );
    expect(statuses(r.checks)).toEqual({ 'connections:amocrm': 'fail', 'connections:1crm': 'fail' });
    // The sandbox's URLs lead nowhere: its command reconnects.
    expect(r.checks[0].fix).toBe(`Reconnect "amocrm a1": run \`${SANDBOX_CMD} connect --connectionId=a1\`.`);
    expect(r.checks[1].fix).toBe(`Run \`${SANDBOX_CMD} connect --connectorKey=1crm\`, then run doctor again.`);
  });

  it('state-specific fixes', () => {
    const amo = connectorFor('amocrm');
    expect(connectionFix(conn('a', 'amocrm', 'CLIENT_ACTION_REQUIRED', { clientAction: { uiUrl: 'https://ui/x' } }), amo, MEMBRANE)).toBe(
      'Reconnect "amocrm a": open https://ui/x, or run `membrane connect --connectionId=a`.',
    );
    expect(connectionFix(conn('a', 'amocrm', 'BUILDING'), amo, MEMBRANE)).toMatch(/still being set up.*membrane connection get a/);
    expect(connectionFix(conn('a', 'amocrm', 'SETUP_FAILED', { error: 'bad subdomain' }), amo, MEMBRANE)).toMatch(
      /failed to set up \(bad subdomain\).*--connectionId=a.*`membrane connect --connectorKey=amocrm`/,
    );
    expect(connectionFix(conn('a', 'amocrm', 'DISCONNECTING'), amo, MEMBRANE)).toBe(
      '"amocrm a" is being removed: connect again with `membrane connect --connectorKey=amocrm`.',
    );
  });

  it('several READY connections warn and suggest a default; a broken default warns', () => {
    const two = connectorChecks(settings(['amocrm']), [conn('a1', 'amocrm'), conn('a2', 'amocrm')], MEMBRANE, directory);
    expect(two.checks[0]).toMatchObject({ status: 'warn' });
    expect(two.checks[0].fix).toMatch(/--default-connection amocrm=a1/);
    const missing = connectorChecks(
      settings(['amocrm', '1crm'], { amocrm: 'nope' }),
      [conn('a1', 'amocrm'), conn('o1', '1crm')],
      MEMBRANE,
      directory,
    );
    expect(statuses(missing.checks)).toEqual({ 'connections:amocrm': 'warn', 'connections:1crm': 'ok' });
    expect(missing.checks[0].fix).toMatch(/Valid READY ids: a1/);
    const good = connectorChecks(settings(['amocrm'], { amocrm: 'a2' }), [conn('a1', 'amocrm'), conn('a2', 'amocrm')], MEMBRANE, directory);
    expect(good.checks[0].status).toBe('ok');
  });

  it('the sandbox cannot serve a connector it does not emulate', () => {
    const r = connectorChecks(settings(['amocrm', 'hubspot']), [conn('a1', 'amocrm')], SANDBOX, sandboxDirectory);
    expect(r.checks[1].fix).toMatch(/emulates only AmoCRM and 1CRM/);
  });
});

describe('fixes for people, not agents', () => {
  it('turns "Ask the user to …" into an instruction', () => {
    expect(userFix('Ask the user to run `membrane login --tenant`, then retry.')).toBe(
      'Run `membrane login --tenant`, then run doctor again.',
    );
    expect(userFix('Ask the user to open https://ui/x and reconnect, then retry.')).toBe(
      'Open https://ui/x and reconnect, then run doctor again.',
    );
    expect(userFix('Check that --membrane-cli points to an executable file.')).toBe(
      'Check that --membrane-cli points to an executable file.',
    );
    expect(userFix(undefined)).toBeUndefined();
  });

  it('a CLI error found by a check: the next step as a fix; LOGIN_REQUIRED gives the same fix as the login check', () => {
    const login = new ToolError('LOGIN_REQUIRED', 'The Membrane CLI is not logged in', {
      nextStep:
        'Ask the user to run `membrane login --tenant --clientName=<claude|codex|cursor>` in a terminal (headless: open the printed URL, then `membrane login complete <code>`), then retry.',
    });
    const call = (args: string) => ({ label: args, command: `membrane ${args}` });
    expect(errorCheck('connections', 'Connections', login, call('connection list --json'))).toEqual({
      id: 'connections',
      title: 'Connections',
      status: 'fail',
      summary: '`connection list --json` failed: LOGIN_REQUIRED: The Membrane CLI is not logged in',
      fix: loginFixFor('membrane'),
    });
    const timeout = errorCheck('login', 'Login', new ToolError('TIMEOUT', 'too slow'), call('status --json'));
    expect(timeout.fix).toMatch(/^The CLI did not answer in time: run `membrane status --json` yourself/);
    const other = errorCheck(
      'connections',
      'Connections',
      new ToolError('CLI_ERROR', 'bad', { nextStep: 'Retry once.' }),
      call('connection list --json'),
    );
    expect(other.fix).toBe('Retry once. Run `membrane connection list --json` yourself to see the whole output.');
  });

  it('only ToolErrors are check failures: anything else is a bug and propagates', async () => {
    expect(await attempt(async () => 1)).toEqual({ ok: true, value: 1 });
    const failed = await attempt(async () => {
      throw new ToolError('TIMEOUT', 'slow');
    });
    expect(failed).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    await expect(
      attempt(async () => {
        throw new TypeError('a bug');
      }),
    ).rejects.toThrow('a bug');
  });
});

describe('latency', () => {
  it('ok up to SLOW_MS, then a warning with a fix per backend', () => {
    expect(latencyCheck(120, 'connection list', MEMBRANE)).toEqual({
      id: 'latency',
      title: 'Latency',
      status: 'ok',
      summary: '120 ms for one `connection list` round trip through the CLI',
    });
    expect(latencyCheck(SLOW_MS + 1, 'status', MEMBRANE)).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/`membrane status` should answer/),
    });
    expect(latencyCheck(SLOW_MS + 1, 'status', SANDBOX).fix).toMatch(/^The sandbox is slow/);
  });
});

describe('human report', () => {
  it('marks, details under the summary, failures first under "To fix:", then the configs', () => {
    const report = {
      version: '9.9.9',
      exitCode: 1,
      checks: [
        { id: 'node', title: 'Node', status: 'ok', summary: 'v20' },
        { id: 'cli-version', title: 'CLI version', status: 'warn', summary: 'unknown', fix: 'update' },
        { id: 'login', title: 'Login', status: 'fail', summary: 'not logged in', fix: 'log in', details: ['API: x'] },
        { id: 'latency', title: 'Latency', status: 'skip', summary: 'not checked' },
      ],
      connections: {},
      launch: { command: 'node', args: ['/x/dist/index.js'], env: { MEMBRANE_CRM_SANDBOX: '1' }, passEnv: [] },
      clientConfigs: {
        claudeCode: { mcpJson: '{CLAUDE}', addCommand: 'claude mcp add …' },
        codex: { toml: '[CODEX]', addCommand: 'codex mcp add …', toolTimeoutSec: 120 },
        cursor: { mcpJson: '{CURSOR}' },
      },
      notes: ['a note'],
    } as DoctorReport;
    const text = renderHuman(report);
    expect(text).toContain('  ✓ Node          v20\n');
    expect(text).toContain('  ✗ Login         not logged in\n                    API: x\n');
    expect(text).toContain('  - Latency       not checked\n');
    expect(text).toContain('To fix:\n  ✗ Login: log in\n  ! CLI version: update\n');
    expect(text).toContain('starts `node /x/dist/index.js` with MEMBRANE_CRM_SANDBOX=1\nNote: a note\n');
    expect(text).toContain('Claude Code: .mcp.json in a project\n{CLAUDE}\nOr for every project: claude mcp add …\n');
    expect(text).toContain(
      '[CODEX]\nOr run: codex mcp add …\n  (it cannot set timeouts: add tool_timeout_sec = 120 to the [mcp_servers.membrane-crm] table it writes)\n',
    );
    expect(text.indexOf('{CLAUDE}')).toBeLessThan(text.indexOf('[CODEX]'));
    expect(text.indexOf('[CODEX]')).toBeLessThan(text.indexOf('{CURSOR}'));
  });
});

describe('runDoctor arguments', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        stdout: (s: string) => void out.push(s),
        stderr: (s: string) => void err.push(s),
        env: { PATH: root },
        cwd: root,
        serverEntry: '/pkg/dist/index.js',
        sandboxCli: '/pkg/dist/sandbox/cli.js',
        version: '0.0.1',
      },
    };
  }

  it('splits its own flags from the server settings', () => {
    expect(splitArgs(['--json', '--sandbox', '-h'])).toEqual({ json: true, help: true, version: false, rest: ['--sandbox'] });
    expect(splitArgs(['--version', '--read-only'])).toEqual({ json: false, help: false, version: true, rest: ['--read-only'] });
  });

  it('--version prints the version and exits 0 without checking anything', async () => {
    const t = io();
    // --membrane-cli to a missing file would fail the checks: none run.
    expect(await runDoctor(['--version', '--membrane-cli=/nonexistent'], t.io)).toBe(0);
    expect(t.out.join('')).toBe('0.0.1\n');
    expect(t.err).toEqual([]);
    expect(doctorUsage()).toMatch(/--version +Print the version\./);
  });

  it('an unexpected exception is an internal error: one line on stderr, exit 3, never a check failure', async () => {
    const t = io();
    const broken = {
      ...t.io,
      stdout: () => {
        throw new Error('stdout is gone');
      },
    };
    expect(await runDoctor(['--membrane-cli=/nonexistent'], broken)).toBe(3);
    expect(t.err.join('')).toBe('membrane-crm-mcp doctor: internal error: stdout is gone\n');
    // With --json, a JSON answer too, when nothing was printed yet (here: reading the env throws).
    const j = io();
    const env = new Proxy(
      {},
      {
        get() {
          throw new TypeError('env exploded');
        },
      },
    ) as NodeJS.ProcessEnv;
    expect(await runDoctor(['--json'], { ...j.io, env })).toBe(3);
    expect(j.err.join('')).toBe('membrane-crm-mcp doctor: internal error: env exploded\n');
    expect(j.err.join('')).not.toMatch(/\n\s+at /);
    expect(JSON.parse(j.out.join(''))).toEqual({ ok: false, exitCode: 3, error: 'internal error: env exploded' });
    expect(doctorUsage()).toMatch(/1 a check failed, 2 bad options or settings,\n3 the doctor itself failed/);
  });

  it('--help prints the doctor usage and exits 0', async () => {
    const t = io();
    expect(await runDoctor(['--help', '--bogus'], t.io)).toBe(0);
    expect(t.out.join('')).toBe(`${doctorUsage()}\n`);
    expect(doctorUsage()).toMatch(/--json/);
  });

  it('a bad flag or setting exits 2 with the server-style message; --json adds a JSON answer', async () => {
    const t = io();
    expect(await runDoctor(['--bogus'], t.io)).toBe(2);
    expect(t.err.join('')).toBe("membrane-crm-mcp: Unknown option '--bogus'\nRun membrane-crm-mcp doctor --help for the options.\n");
    expect(t.out).toEqual([]);
    const j = io();
    expect(await runDoctor(['--json', '--connectors=1crm,onecrm'], j.io)).toBe(2);
    expect(JSON.parse(j.out.join(''))).toMatchObject({ ok: false, exitCode: 2, error: expect.stringMatching(/tool prefix "onecrm"/) });
  });

  it('--membrane-cli to a missing file fails without running anything', async () => {
    const t = io();
    expect(await runDoctor(['--json', '--membrane-cli=/nonexistent/membrane'], t.io)).toBe(1);
    const doc = JSON.parse(t.out.join('')) as { ok: boolean; checks: Check[] };
    expect(doc.ok).toBe(false);
    expect(statuses(doc.checks)).toMatchObject({ cli: 'fail', 'cli-version': 'skip', login: 'skip', connections: 'skip', latency: 'skip' });
    expect(doc.checks.find((c) => c.id === 'cli')?.fix).toMatch(/--membrane-cli \(MEMBRANE_CLI\)/);
  });

  it('a missing --cli-cwd fails the CLI check', async () => {
    const t = io();
    expect(
      await runDoctor(['--json', '--sandbox', '--backend=cli', `--cli-cwd=${join(root, 'nope')}`], {
        ...t.io,
        sandboxCli: '/pkg/dist/sandbox/cli.js',
      }),
    ).toBe(1);
    const doc = JSON.parse(t.out.join('')) as { checks: Check[] };
    expect(doc.checks.find((c) => c.id === 'cli')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/does not exist/) });
  });

  it('an old Node fails the run', async () => {
    const t = io();
    expect(await runDoctor(['--json', '--membrane-cli=/nonexistent'], { ...t.io, nodeVersion: '18.0.0' })).toBe(1);
    expect((JSON.parse(t.out.join('')) as { checks: Check[] }).checks[0]).toMatchObject({ id: 'node', status: 'fail' });
  });
});

describe('notes on the HTTP transport', () => {
  /** The doctor's JSON for these flags; --membrane-cli to a missing file keeps every CLI call from running. */
  async function report(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const code = await runDoctor(['--json', '--membrane-cli=/nonexistent', ...argv], {
      stdout: (s) => void out.push(s),
      stderr: () => {},
      env: { PATH: root, ...env },
      cwd: root,
      serverEntry: '/pkg/dist/index.js',
      sandboxCli: '/pkg/dist/sandbox/cli.js',
      version: '0.0.1',
    });
    return {
      code,
      doc: JSON.parse(out.join('')) as {
        notes: string[];
        launch: { env: Record<string, string> };
        clientConfigs: { claudeCode: { mcpJson: string } };
      },
    };
  }
  const TOKEN = 'tok-abcdefghijklmnopqrstuvwxyz';

  it('the URL names the host, brackets an IPv6 address, and says "this machine" for a wildcard', () => {
    expect(httpUrl({ host: '127.0.0.1', http: 3000 })).toBe('http://127.0.0.1:3000/mcp');
    expect(httpUrl({ host: '::1', http: 3000 })).toBe('http://[::1]:3000/mcp');
    expect(httpUrl({ host: 'localhost', http: 0 })).toBe('http://localhost:<port>/mcp');
    for (const host of ['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0'])
      expect(httpUrl({ host, http: 8080 })).toBe("http://<this machine's name or address>:8080/mcp");
  });

  it('--http on a wildcard host: the note points at this machine, never 0.0.0.0, and never shows the token', async () => {
    const { doc } = await report(['--http=8080', '--host=0.0.0.0'], { MEMBRANE_CRM_HTTP_TOKEN: TOKEN });
    const note = doc.notes.find((n) => n.startsWith('--http is set'));
    expect(note).toContain(
      'point the client at http://<this machine\'s name or address>:8080/mcp with the header "Authorization: Bearer <your MEMBRANE_CRM_HTTP_TOKEN>".',
    );
    expect(JSON.stringify(doc)).not.toContain('http://0.0.0.0');
    expect(JSON.stringify(doc)).not.toContain(TOKEN);
  });

  it('a --config file with HTTP keys is not passed on: its other keys become env vars, with a note; the token never shows', async () => {
    const file = join(root, 'http-config.json');
    writeFileSync(
      file,
      JSON.stringify({
        http: 3000,
        host: '0.0.0.0',
        httpToken: TOKEN,
        httpAllowedHosts: ['crm.example'],
        readOnly: true,
        denyActions: ['1crm:delete-*', 'amocrm:{remove,delete}-*'],
        defaultConnections: { amocrm: 'c1' },
        cliTimeout: 90,
      }),
    );
    const { code, doc } = await report([`--config=${file}`, '--confirm=writes']);
    expect(code).toBe(1);
    expect(doc.launch.env).toEqual({
      MEMBRANE_CLI: '/nonexistent',
      MEMBRANE_CRM_DEFAULT_CONNECTION: 'amocrm=c1',
      MEMBRANE_CRM_READ_ONLY: '1',
      MEMBRANE_CRM_DENY_ACTIONS: '1crm:delete-*,amocrm:{remove,delete}-*',
      MEMBRANE_CRM_CONFIRM: 'writes',
      MEMBRANE_CRM_CLI_TIMEOUT: '90',
    });
    expect(JSON.parse(doc.clientConfigs.claudeCode.mcpJson).mcpServers['membrane-crm'].env).toEqual(doc.launch.env);
    expect(doc.notes).toContain(
      `the config file ${file} sets http, host, httpToken, httpAllowedHosts, which would start the server on HTTP, not on the client's stdio: ` +
        'the configuration below does not pass the file on; its other settings are env vars, and the HTTP settings are left out.',
    );
    // A brace pattern would be split by the env var: the note says so.
    expect(
      doc.notes.some((n) =>
        n.startsWith('denyActions in the config file has an entry with a comma, which MEMBRANE_CRM_DENY_ACTIONS splits in two'),
      ),
    ).toBe(true);
    expect(JSON.stringify(doc)).not.toContain(TOKEN);
  });

  it('a --config file without HTTP keys is still passed on as is, without a note', async () => {
    const file = join(root, 'plain-config.json');
    writeFileSync(file, JSON.stringify({ readOnly: true }));
    const { doc } = await report([], { MEMBRANE_CRM_CONFIG: file });
    expect(doc.launch.env).toEqual({ MEMBRANE_CLI: '/nonexistent', MEMBRANE_CRM_CONFIG: file });
    expect(doc.notes.join('\n')).not.toContain('config file');
  });
});
