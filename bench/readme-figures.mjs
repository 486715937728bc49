#!/usr/bin/env node
// The size figures the README quotes, measured on the built server over stdio against a fresh sandbox store:
// tools/list, action cards (five 1CRM cards for "create an account", and the range over both catalogs), one card with
// its full schemas, and the output of a 1CRM create in the compact and raw shapes. Run `npm run build` first.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'readme-figures-'));
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MEMBRANE_SANDBOX_DB: join(dir, 'sandbox.db') };
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [join(ROOT, 'dist', 'index.js'), '--sandbox'],
  env,
  stderr: 'pipe',
});
const client = new Client({ name: 'readme-figures', version: '1.0.0' }, { capabilities: {} });
await client.connect(transport);

const chars = (value) => JSON.stringify(value).length;
const call = async (name, args) => (await client.callTool({ name, arguments: args })).structuredContent ?? {};

try {
  const { tools } = await client.listTools();
  console.log(`tools/list: ${tools.length} tools, ${chars(tools)} characters`);

  const accounts = await call('onecrm_search_actions', { intent: 'create an account', limit: 5 });
  const five = accounts.actions.map(chars);
  console.log(`1CRM "create an account": cards ${five.join(', ')}; together ${five.reduce((a, b) => a + b, 0)}; result ${chars(accounts)}`);

  const sizes = [];
  for (const tool of ['onecrm_search_actions', 'amocrm_search_actions']) {
    for (const intent of ['list', 'get', 'search', 'create', 'update', 'delete']) {
      const r = await call(tool, { intent, limit: 20 });
      sizes.push(...(r.actions ?? []).map(chars));
    }
  }
  console.log(`cards over both catalogs: ${sizes.length} cards, ${Math.min(...sizes)}–${Math.max(...sizes)} characters`);

  const full = await call('onecrm_search_actions', { intent: 'create an account', limit: 1, includeSchemas: true });
  console.log(`create-account with its schemas: ${chars(full.actions[0])} characters`);

  for (const shape of ['compact', 'raw']) {
    const input = { name: `Figures ${shape} GmbH`, website: 'https://example.com' };
    const r = await call('onecrm_run_action', { actionId: 'create-account', input, shape });
    console.log(`create-account output, ${shape}: ${chars(r.output)} characters`);
  }
} finally {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
}
