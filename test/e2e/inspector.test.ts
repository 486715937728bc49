// The README's promise: the server started through mcp.json can be listed and called by the MCP Inspector CLI.
// Inspector CLI v1 must run from a subdirectory of a project (upstream #1334/#1503), hence cwd scripts/.
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startHttpServer } from '../helpers/http.js';
import { ROOT, tempDb } from '../helpers/sandbox.js';

const db = tempDb('inspector-');
/** The call both tests make: a search that must rank the lead create first. */
const SEARCH_CALL = ['--method', 'tools/call', '--tool-name', 'amocrm_search_actions', '--tool-arg', 'intent=create a deal'];
afterAll(() => db.cleanup());

const inspector = (args: string[]) =>
  execa(
    process.execPath,
    [join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build', 'cli.js'), '--cli', '--config', '../mcp.json', ...args],
    {
      cwd: join(ROOT, 'scripts'),
      env: { MEMBRANE_SANDBOX_DB: db.path },
      reject: false,
      timeout: 60_000,
    },
  );

it('lists the tools and calls one through mcp.json', { timeout: 120_000 }, async () => {
  const list = await inspector(['--server', 'membrane-crm-sandbox', '--method', 'tools/list']);
  expect(list.exitCode, list.stderr).toBe(0);
  expect((JSON.parse(list.stdout).tools as unknown[]).length).toBe(10);

  const call = await inspector(['--server', 'membrane-crm-sandbox', ...SEARCH_CALL]);
  expect(call.exitCode, call.stderr).toBe(0);
  const result = JSON.parse(call.stdout);
  expect(result.isError).not.toBe(true);
  expect(result.structuredContent.actions[0].key).toBe('create-lead');
});

it('calls a tool over --http with the bearer token, as the README shows', { timeout: 120_000 }, async () => {
  const token = 'inspector-token-0123456789';
  const srv = await startHttpServer({ env: { MEMBRANE_CRM_HTTP_TOKEN: token } });
  try {
    const base = [
      join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build', 'cli.js'),
      '--cli',
      srv.url,
      '--transport',
      'http',
    ];
    const opts = { cwd: join(ROOT, 'scripts'), reject: false, timeout: 60_000 } as const;
    const call = await execa(process.execPath, [...base, '--header', `Authorization: Bearer ${token}`, ...SEARCH_CALL], opts);
    expect(call.exitCode, call.stderr).toBe(0);
    const result = JSON.parse(call.stdout);
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent.actions[0].key).toBe('create-lead');

    const refused = await execa(process.execPath, [...base, '--method', 'tools/list'], opts);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr + refused.stdout).toMatch(/Missing bearer token/);
  } finally {
    await srv.stop();
  }
});
