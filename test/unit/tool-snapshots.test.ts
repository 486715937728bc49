// What agents see of each tool (name, title, description, input and output schemas, annotations, _meta), as an
// SDK client receives it from tools/list, pinned in one JSON file per tool under test/unit/toolsnaps/ so that a
// change to one tool shows as a change to one file. The per-connector tools have `<tool>.json`, the shared-mode
// tools `crm_<tool>.json`, and a tool that reads differently under --read-only also `<tool>.read-only.json`.
// A missing, changed or leftover file fails; UPDATE_TOOLSNAPS=1 writes them (then review the diff and commit).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tool } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { type Settings, SettingsSchema } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createServerFactory } from '../../src/server.js';
import { FakeMembraneClient } from '../helpers/fake-membrane-client.js';
import { connectInProcess } from '../helpers/in-process.js';
import { ROOT } from '../helpers/sandbox.js';

const DIR = join(ROOT, 'test', 'unit', 'toolsnaps');
const UPDATE = process.env.UPDATE_TOOLSNAPS === '1' || process.env.UPDATE_TOOLSNAPS === 'true';
const HOW_TO_UPDATE =
  'if the change is deliberate, run `UPDATE_TOOLSNAPS=1 npx vitest run test/unit/tool-snapshots.test.ts`, review the diff and commit it';
const FIELDS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations', '_meta'] as const;

type Snapshot = Pick<Tool, (typeof FIELDS)[number]>;

/** tools/list as an SDK client receives it from the server factory under these settings. */
async function listing(settings: Settings): Promise<Snapshot[]> {
  const { factory } = createServerFactory({
    settings,
    client: new FakeMembraneClient(),
    log: createLogger({ level: 'error', write: () => undefined }),
    version: '0.0.0',
  });
  const served = await connectInProcess(factory, { era: 'legacy' });
  const { tools } = await served.client.listTools();
  await served.close();
  // JSON as it travels, fields in a fixed order.
  return tools.map((t) => JSON.parse(JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, t[f]])))) as Snapshot);
}

const perConnector = await listing(SettingsSchema.parse({}));
const shared = await listing(SettingsSchema.parse({ toolMode: 'shared' }));
const readOnly = await listing(SettingsSchema.parse({ readOnly: true }));

/** Every file that must exist, with what it must hold. */
const expected = new Map<string, Snapshot>();
for (const t of [...perConnector, ...shared]) expected.set(`${t.name}.json`, t);
for (const t of readOnly) {
  const normal = perConnector.find((p) => p.name === t.name);
  if (JSON.stringify(normal) !== JSON.stringify(t)) expected.set(`${t.name}.read-only.json`, t);
}

const text = (s: Snapshot) => `${JSON.stringify(s, null, 2)}\n`;

if (UPDATE) {
  mkdirSync(DIR, { recursive: true });
  for (const [file, snapshot] of expected) {
    const path = join(DIR, file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text(snapshot)) writeFileSync(path, text(snapshot));
  }
  for (const file of readdirSync(DIR)) if (!expected.has(file)) rmSync(join(DIR, file));
}

describe('tool snapshots (test/unit/toolsnaps/)', () => {
  it.each([...expected.keys()])('%s', (file) => {
    const path = join(DIR, file);
    if (!existsSync(path)) expect.fail(`No tool snapshot test/unit/toolsnaps/${file}: ${HOW_TO_UPDATE}.`);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
    const listed = expected.get(file)!;
    for (const field of FIELDS) {
      expect(listed[field], `${listed.name}: ${field} differs from test/unit/toolsnaps/${file}; ${HOW_TO_UPDATE}`).toEqual(saved[field]);
    }
    expect(Object.keys(saved).sort(), `test/unit/toolsnaps/${file} holds other fields; ${HOW_TO_UPDATE}`).toEqual([...FIELDS].sort());
  });

  it('holds no file for a tool that no longer exists (or a variant that no longer differs)', () => {
    const leftover = existsSync(DIR) ? readdirSync(DIR).filter((f) => !expected.has(f)) : [];
    expect(leftover, `leftover tool snapshots; ${HOW_TO_UPDATE}`).toEqual([]);
  });

  it('covers the per-connector tools, the shared ones, and the read-only variants that differ', () => {
    expect(perConnector.map((t) => t.name)).toHaveLength(10);
    expect(shared.map((t) => t.name)).toEqual([
      'crm_list_connections',
      'crm_search_actions',
      'crm_create_action',
      'crm_run_action',
      'crm_proxy_request',
    ]);
    // Read-only changes the annotations of run and proxy, and search_actions stops offering create_action.
    expect([...expected.keys()].filter((f) => f.endsWith('.read-only.json')).sort()).toEqual(
      ['amocrm', 'onecrm'].flatMap((p) => ['proxy_request', 'run_action', 'search_actions'].map((s) => `${p}_${s}.read-only.json`)).sort(),
    );
  });
});
