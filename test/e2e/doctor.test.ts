// `membrane-crm-mcp doctor` as users run it: the built server as a real process, against the built
// sandbox with its own database (through its REST API, which the doctor starts as the server would, or its CLI),
// against a separately started `membrane-sandbox serve` as if it were Membrane's own API, or against a stand-in
// `membrane` on PATH.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { execa } from 'execa';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type CredentialStyle, realApiEnv, spawnSandboxApi } from '../helpers/spawn-sandbox-api.js';
import { runSandbox, seededConnectionIds, SANDBOX_CLI, SERVER_CLI, tempDb } from '../helpers/sandbox.js';

interface DoctorJson {
  ok: boolean;
  exitCode: number;
  version: string;
  backend: string;
  cli: { display: string; path?: string; version?: string } | null;
  api: { uri: string; credentials: string[]; sdk?: string } | null;
  checks: { id: string; status: string; summary: string; fix?: string }[];
  connections: Record<string, { id: string; name: string; state: string }[]>;
  latencyMs: number | null;
  latencySource: string | null;
  clientConfigs: {
    claudeCode: { mcpJson: string; addCommand: string };
    codex: { toml: string; addCommand: string };
    cursor: { mcpJson: string };
  };
  notes: string[];
}

const dbs: { cleanup: () => void }[] = [];
afterAll(() => dbs.forEach((d) => d.cleanup()));

function freshDb(): string {
  const db = tempDb('doctor-');
  dbs.push(db);
  return db.path;
}

/** Runs `node dist/index.js doctor …` with only the env given (nothing from the developer's shell). */
async function doctor(args: string[], env: Record<string, string>) {
  const r = await execa(process.execPath, [SERVER_CLI, 'doctor', ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
    extendEnv: false,
    env: { HOME: process.env.HOME ?? '', PATH: process.env.PATH ?? '', ...env },
  });
  let json: DoctorJson | undefined;
  try {
    json = JSON.parse(r.stdout) as DoctorJson;
  } catch {
    json = undefined;
  }
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, json };
}

const byId = (doc: DoctorJson, id: string) => doc.checks.find((c) => c.id === id);

describe.each(BACKENDS)('doctor against the sandbox on $name', (backend) => {
  it('a healthy sandbox: exit 0, every check ok, connections of both CRMs, the round trip, configs for this server', async () => {
    const db = freshDb();
    const { amocrm, onecrm } = await seededConnectionIds(db);
    const r = await doctor(['--json', '--sandbox', ...backend.args], { MEMBRANE_SANDBOX_DB: db });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json!;
    expect(doc).toMatchObject({ ok: true, exitCode: 0, backend: backend.name, latencySource: 'connection list' });
    const cli = backend.name === 'sandbox-cli';
    expect(doc.checks.map((c) => c.id)).toEqual([
      'node',
      'config',
      ...(cli ? ['cli', 'cli-version'] : ['api']),
      'login',
      'connections:amocrm',
      'connections:1crm',
      'latency',
    ]);
    expect(doc.checks.filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(doc.connections).toEqual({
      amocrm: [{ id: amocrm, name: 'AmoCRM (sandbox)', state: 'READY' }],
      '1crm': [{ id: onecrm, name: '1CRM (sandbox)', state: 'READY' }],
    });
    if (cli) {
      expect(doc.cli!.path).toBe(SANDBOX_CLI);
      expect(doc.cli!.version).toBe(doc.version);
    } else {
      // The sandbox API the doctor started (and stopped): where it listened, with a token made up for it.
      expect(doc.api).toMatchObject({ uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), sdk: '@membranehq/sdk 0.28.3' });
      expect(byId(doc, 'api')!.summary).toMatch(/through its REST API/);
    }
    expect(doc.latencyMs).toBeGreaterThan(0);
    expect(byId(doc, 'latency')!.summary).toMatch(
      new RegExp(`ms for one \`connection list\` round trip through the ${cli ? 'CLI' : 'API'}$`),
    );

    // The configuration starts this very server with the sandbox (and the backend) and the database that was checked.
    const env = { MEMBRANE_CRM_SANDBOX: '1', ...(cli ? { MEMBRANE_CRM_BACKEND: 'cli' } : {}), MEMBRANE_SANDBOX_DB: db };
    const server = { command: 'node', args: [SERVER_CLI], env };
    expect(JSON.parse(doc.clientConfigs.claudeCode.mcpJson)).toEqual({ mcpServers: { 'membrane-crm': server } });
    expect(JSON.parse(doc.clientConfigs.cursor.mcpJson)).toEqual({ mcpServers: { 'membrane-crm': server } });
    expect(doc.clientConfigs.claudeCode.addCommand).toBe(
      `claude mcp add -s user membrane-crm ${Object.entries(env)
        .map(([k, v]) => `-e ${k}=${v}`)
        .join(' ')} -- node ${SERVER_CLI}`,
    );
    expect(doc.clientConfigs.codex.toml).toContain(
      `[mcp_servers.membrane-crm]\ncommand = "node"\nargs = [${JSON.stringify(SERVER_CLI)}]\n`,
    );
    expect(doc.clientConfigs.codex.toml).toMatch(/^tool_timeout_sec = 120$/m);
  });
});

describe('doctor against the sandbox', () => {
  it('the human report: marks, verdict and ready-to-paste configs', async () => {
    const db = freshDb();
    const r = await doctor(['--sandbox', '--connectors=amocrm', '--read-only'], { MEMBRANE_SANDBOX_DB: db });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^membrane-crm-mcp doctor \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/^ {2}✓ Settings +connectors amocrm; tool mode per-connector; read-only on; confirm destructive/m);
    expect(r.stdout).toMatch(/^ {2}✓ AmoCRM +"AmoCRM \(sandbox\)" is READY$/m);
    expect(r.stdout).not.toMatch(/^ {2}. 1CRM /m);
    expect(r.stdout).toMatch(/^ {2}✓ Latency +\d+ ms for one `connection list` round trip/m);
    expect(r.stdout).toContain('✓ Ready to use: no problems found.');
    expect(r.stdout).not.toContain('To fix:');
    expect(r.stdout).toContain(
      `Client configuration: starts \`node ${SERVER_CLI}\` with MEMBRANE_CRM_CONNECTORS=amocrm MEMBRANE_CRM_SANDBOX=1 MEMBRANE_CRM_READ_ONLY=1 MEMBRANE_SANDBOX_DB=${db}\n`,
    );
    expect(r.stdout).toContain('"MEMBRANE_CRM_READ_ONLY": "1"');
    expect(r.stdout).toContain('[mcp_servers.membrane-crm.env]');
    expect(r.stdout).toContain('Claude Code: .mcp.json in a project\n{');
    expect(r.stdout).toContain(`\nOr for every project: claude mcp add -s user membrane-crm -e MEMBRANE_CRM_CONNECTORS=amocrm `);
    expect(r.stdout).toContain('Cursor: ~/.cursor/mcp.json');
    expect(r.stderr).toBe('');
  });

  it('every connection disconnected: exit 1, each connector with its exact reconnect command', async () => {
    const db = freshDb();
    const { amocrm, onecrm } = await seededConnectionIds(db);
    for (const id of [amocrm, onecrm]) expect((await runSandbox(['sandbox', 'disconnect', id], { db })).exitCode).toBe(0);
    const r = await doctor(['--json', '--sandbox'], { MEMBRANE_SANDBOX_DB: db });
    expect(r.exitCode).toBe(1);
    const doc = r.json!;
    expect(doc.ok).toBe(false);
    const sandbox = `MEMBRANE_SANDBOX_DB=${db} node ${SANDBOX_CLI}`;
    expect(byId(doc, 'connections:amocrm')).toMatchObject({
      status: 'fail',
      fix: `Reconnect "AmoCRM (sandbox)": run \`${sandbox} connect --connectionId=${amocrm}\`.`,
    });
    expect(byId(doc, 'connections:1crm')).toMatchObject({
      status: 'fail',
      fix: `Reconnect "1CRM (sandbox)": run \`${sandbox} connect --connectionId=${onecrm}\`.`,
    });
    expect(doc.connections.amocrm[0].state).toBe('CLIENT_ACTION_REQUIRED');

    // The fix works: after it, one connector is enough to be usable (the other only warns).
    expect((await runSandbox(['connect', `--connectionId=${amocrm}`], { db })).exitCode).toBe(0);
    const after = await doctor(['--sandbox'], { MEMBRANE_SANDBOX_DB: db });
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toMatch(/^ {2}! 1CRM +no READY connection/m);
    expect(after.stdout).toContain(`To fix:\n  ! 1CRM: Reconnect "1CRM (sandbox)": run \`${sandbox} connect --connectionId=${onecrm}\`.`);
  });

  // The sandbox's login is its CLI's: its REST API checks the server's own token instead (the sandbox API backend
  // refuses a login only under a fault, below).
  it('logged out (sandbox CLI): exit 1 with the sandbox login command; connections are not checked', async () => {
    const db = freshDb();
    expect((await runSandbox(['logout'], { db })).exitCode).toBe(0);
    const r = await doctor(['--sandbox', '--backend=cli'], { MEMBRANE_SANDBOX_DB: db });
    expect(r.exitCode).toBe(1);
    const sandbox = `MEMBRANE_SANDBOX_DB=${db} node ${SANDBOX_CLI}`;
    expect(r.stdout).toMatch(/^ {2}✗ Login +not logged in$/m);
    expect(r.stdout).toMatch(/^ {2}- Connections +not checked: log in first$/m);
    expect(r.stdout).toContain(
      `  ✗ Login: Run \`${sandbox} login --tenant --clientName=<claude|codex|cursor>\` in a terminal (headless: open the printed URL, then \`${sandbox} login complete <code>\`), then run doctor again.`,
    );
  });

  it('a token the sandbox API refuses: exit 1, the fix is a restart without the fault; connections are not checked', async () => {
    const db = freshDb();
    const r = await doctor(['--sandbox'], { MEMBRANE_SANDBOX_DB: db, MEMBRANE_SANDBOX_FAULT: 'expired-token' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^ {2}✗ Login +Membrane refused the credentials \(HTTP 401\) from a `pat-` token made up for this start$/m);
    expect(r.stdout).toMatch(/^ {2}- Connections +not checked: log in first$/m);
    expect(r.stdout).toMatch(/✗ Login: Restart the MCP server: it gives its sandbox a fresh token on every start .*MEMBRANE_SANDBOX_FAULT/);
  });

  it('no Membrane CLI anywhere: the sandbox fallback is usable but flagged', async () => {
    const db = freshDb();
    const emptyPath = dirname(db); // a directory without `membrane`
    const r = await doctor(['--json'], { MEMBRANE_SANDBOX_DB: db, PATH: emptyPath });
    expect(r.exitCode).toBe(0);
    expect(r.json!.backend).toBe('sandbox-api');
    expect(byId(r.json!, 'api')).toMatchObject({ status: 'warn', fix: expect.stringContaining('npm install -g @membranehq/cli') });
    expect(byId(r.json!, 'latency')!.status).toBe('ok');
    // Not set explicitly, so not in the configuration: once the CLI is installed the same config uses it.
    expect(JSON.parse(r.json!.clientConfigs.claudeCode.mcpJson).mcpServers['membrane-crm'].env).toEqual({ MEMBRANE_SANDBOX_DB: db });
  });
});

describe.each<CredentialStyle>(['token', 'workspace'])('doctor against membrane-sandbox serve as "my Membrane" (%s)', (style) => {
  it('chooses the api backend, exits 0 and shows the round trip; the credentials never show', async () => {
    const db = freshDb();
    const api = await spawnSandboxApi({ db });
    try {
      const r = await doctor(['--json'], realApiEnv(api, style));
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const doc = r.json!;
      expect(doc).toMatchObject({ backend: 'membrane-api', api: { uri: api.apiUri }, latencySource: 'connection list' });
      expect(doc.checks.filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
      expect(byId(doc, 'latency')!.summary).toMatch(/^\d+ ms for one `connection list` round trip through the API$/);
      expect(doc.connections.amocrm).toEqual([expect.objectContaining({ state: 'READY' })]);
      for (const secret of [api.accessToken, api.workspaceSecret]) expect(r.stdout + r.stderr).not.toContain(secret);
    } finally {
      await api.stop();
    }
  });
});

describe('doctor with a real-CLI stand-in and bad settings', () => {
  let bin: string;
  beforeAll(() => {
    bin = join(dirname(freshDb()), 'bin');
    mkdirSync(bin);
    // A `membrane` that answers like the real CLI: version, status and the connection list.
    const fake = join(bin, 'membrane');
    writeFileSync(
      fake,
      `#!${process.execPath}
const [cmd, sub] = process.argv.slice(2);
const loggedIn = process.env.FAKE_LOGGED_IN === '1';
if (cmd === '--version') console.log('1.4.2');
else if (cmd === 'status') console.log(JSON.stringify({ loggedIn, apiUri: 'https://api.getmembrane.com' }));
else if (cmd === 'connection' && sub === 'list') {
  if (!loggedIn) { console.log(JSON.stringify({ type: 'bad_request', key: 'not_authenticated', message: 'Not logged in' })); process.exit(1); }
  console.log(JSON.stringify({ items: [{ id: 'c-amo', name: 'Our AmoCRM', state: 'READY', connectorKey: 'amocrm', disconnected: false }] }));
} else process.exit(2);
`,
    );
    chmodSync(fake, 0o755);
  });

  it.skipIf(process.platform === 'win32')('not logged in: exit 1 and `membrane login --tenant`', async () => {
    const r = await doctor(['--json'], { PATH: bin });
    expect(r.exitCode).toBe(1);
    const doc = r.json!;
    expect(doc.backend).toBe('membrane-cli');
    expect(doc.cli).toMatchObject({ display: 'membrane', path: join(bin, 'membrane'), version: '1.4.2' });
    expect(byId(doc, 'cli')).toMatchObject({ status: 'ok', summary: `Membrane CLI found on PATH: ${join(bin, 'membrane')}` });
    expect(byId(doc, 'login')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/^Run `membrane login --tenant --clientName=<claude\|codex\|cursor>` in a terminal/),
    });
    expect(byId(doc, 'latency')).toMatchObject({ status: 'ok', summary: expect.stringMatching(/`status` round trip/) });
    // A desktop client's PATH may not hold this membrane: the doctor says how to pin it.
    expect(doc.notes.join('\n')).toContain(`MEMBRANE_CLI=${join(bin, 'membrane')}`);
  });

  it.skipIf(process.platform === 'win32')('logged in with only AmoCRM connected: exit 0, 1CRM warns with the connect command', async () => {
    const r = await doctor(['--json'], { PATH: bin, FAKE_LOGGED_IN: '1' });
    expect(r.exitCode).toBe(0);
    const doc = r.json!;
    expect(byId(doc, 'connections:amocrm')).toMatchObject({ status: 'ok' });
    expect(byId(doc, 'connections:1crm')).toMatchObject({
      status: 'warn',
      fix: 'Run `membrane connect --connectorKey=1crm` (it opens a browser to authorize 1CRM), then run doctor again.',
    });
    expect(doc.connections).toEqual({ amocrm: [{ id: 'c-amo', name: 'Our AmoCRM', state: 'READY' }], '1crm': [] });
  });

  it('--membrane-cli pointing nowhere: exit 1, nothing else checked', async () => {
    const r = await doctor(['--membrane-cli=/nonexistent'], {});
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^ {2}✗ CLI +--membrane-cli: \/nonexistent does not exist$/m);
    expect(r.stdout).toMatch(/^ {2}- Login +not checked: the CLI cannot run$/m);
    expect(r.stdout).toContain('To fix:\n  ✗ CLI: Point --membrane-cli (MEMBRANE_CLI) at the Membrane CLI');
  });

  it('a bad flag exits 2 with the server-style message; --help exits 0', async () => {
    const bad = await doctor(['--sandbox', '--bogus'], {});
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe("membrane-crm-mcp: Unknown option '--bogus'\nRun membrane-crm-mcp doctor --help for the options.");
    expect(bad.stdout).toBe('');
    const help = await doctor(['--help'], {});
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: membrane-crm-mcp doctor \[--json\]/);
    expect(help.stdout).toMatch(/^Exit status: 0 .*\n3 the doctor itself failed/m);
  });

  it('--version prints the version like the server, exits 0 and checks nothing', async () => {
    const server = await execa(process.execPath, [SERVER_CLI, '--version'], { reject: false, stdin: 'ignore' });
    const r = await doctor(['--version', '--membrane-cli=/nonexistent'], {});
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(server.stdout);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('');
  });

  it('an unexpected exception: exit 3 and one line on stderr, not a failed check', async () => {
    // A preload that breaks stdout: the doctor's own write of the report throws.
    const preload = join(dirname(freshDb()), 'break-stdout.mjs');
    writeFileSync(preload, "process.stdout.write = () => { throw new Error('simulated stdout failure'); };\n");
    const r = await doctor(['--membrane-cli=/nonexistent'], { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('membrane-crm-mcp doctor: internal error: simulated stdout failure');
  });

  it('--http on 0.0.0.0 from a --config file: a stdio config without the file or the token, and notes that say so', async () => {
    const dir = dirname(freshDb());
    const file = join(dir, 'http.json');
    const token = 'tok-0123456789abcdef0123456789';
    writeFileSync(file, JSON.stringify({ http: 8123, host: '0.0.0.0', httpToken: token, readOnly: true, connectors: ['amocrm'] }));
    const db = freshDb();
    const r = await doctor(['--json', '--sandbox', `--config=${file}`], { MEMBRANE_SANDBOX_DB: db });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json!;
    const env = { MEMBRANE_CRM_CONNECTORS: 'amocrm', MEMBRANE_CRM_SANDBOX: '1', MEMBRANE_CRM_READ_ONLY: '1', MEMBRANE_SANDBOX_DB: db };
    expect(JSON.parse(doc.clientConfigs.claudeCode.mcpJson).mcpServers['membrane-crm'].env).toEqual(env);
    expect(doc.notes).toContain(
      `the config file ${file} sets http, host, httpToken, which would start the server on HTTP, not on the client's stdio: ` +
        'the configuration below does not pass the file on; its other settings are env vars, and the HTTP settings are left out.',
    );
    expect(doc.notes.join('\n')).toContain("point the client at http://<this machine's name or address>:8123/mcp");
    expect(r.stdout).not.toContain(token);
    expect(r.stdout).not.toContain('http://0.0.0.0');

    // The pasted configuration starts a server a client talks to on stdio (as an MCP host runs it: that
    // env, plus PATH and HOME).
    const pasted = JSON.parse(doc.clientConfigs.claudeCode.mcpJson).mcpServers['membrane-crm'] as {
      command: string;
      args: string[];
      env: Record<string, string>;
    };
    const transport = new StdioClientTransport({
      command: pasted.command === 'node' ? process.execPath : pasted.command,
      args: pasted.args,
      env: { HOME: process.env.HOME ?? '', PATH: process.env.PATH ?? '', ...pasted.env },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'doctor-e2e', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('amocrm_list_connections');
    } finally {
      await client.close();
    }
  });
});
