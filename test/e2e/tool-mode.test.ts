// --tool-mode=shared: five `crm_*` tools with a `connector` argument instead of five per connector.
// Same handlers, same results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerHandle, err, ok, startServer } from '../helpers/mcp.js';
import { tempDb } from '../helpers/sandbox.js';

let shared: ServerHandle;
let perConnector: ServerHandle;
const db = tempDb('toolmode-');

beforeAll(async () => {
  // One database for both servers, so both see the same CRM data.
  [shared, perConnector] = await Promise.all([startServer({ db: db.path, args: ['--tool-mode=shared'] }), startServer({ db: db.path })]);
});
afterAll(async () => {
  await Promise.all([shared?.close(), perConnector?.close()]);
  db.cleanup();
});

/** Results minus what legitimately differs: run ids, and next steps (they name each mode's own tools). */
function stable(v: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === 'actionRunId' || k === 'nextStep' ? undefined : x)));
}

describe('shared tool mode', () => {
  it('registers five crm_* tools whose connector argument is an enum of the enabled connectors', async () => {
    const { tools } = await shared.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'crm_create_action',
      'crm_list_connections',
      'crm_proxy_request',
      'crm_run_action',
      'crm_search_actions',
    ]);
    for (const t of tools) {
      const connector = (t.inputSchema.properties as Record<string, { enum?: string[] }>).connector;
      expect(connector.enum).toEqual(['amocrm', '1crm']);
      expect(t.inputSchema.required).toContain('connector');
    }
    expect(shared.client.getInstructions()).toMatch(/crm_\* with a connector argument \("amocrm" = AmoCRM, "1crm" = 1CRM\)/);
    const sharedSize = JSON.stringify(tools).length;
    const perConnectorSize = JSON.stringify((await perConnector.client.listTools()).tools).length;
    expect(sharedSize).toBeLessThan(perConnectorSize * 0.7);
  });

  it('gives the same results as the per-connector tools', async () => {
    const pairs: [string, string, Record<string, unknown>][] = [
      ['crm_list_connections', 'amocrm_list_connections', {}],
      ['crm_search_actions', 'onecrm_search_actions', { intent: 'find a contact by email', limit: 3 }],
      ['crm_run_action', 'amocrm_run_action', { actionId: 'list-pipelines', input: {} }],
      ['crm_proxy_request', 'onecrm_proxy_request', { path: '/data/Account', query: { limit: 2, order: 'name' } }],
    ];
    for (const [sharedName, ownName, args] of pairs) {
      const connector = ownName.startsWith('amocrm') ? 'amocrm' : '1crm';
      const a = ok(await shared.call(sharedName, { connector, ...args }));
      const b = ok(await perConnector.call(ownName, args));
      expect(stable(a), sharedName).toEqual(stable(b));
    }
  });

  it('names the shared tool and the connector in next steps, and rejects an unknown connector', async () => {
    const e = err(await shared.call('crm_run_action', { connector: '1crm', actionId: 'no-such-action' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.nextStep).toContain('crm_search_actions with {"connector":"1crm"}');
    const bad = err(await shared.call('crm_list_connections', { connector: 'salesforce' }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(JSON.stringify(bad.details)).toMatch(/connector/);
  });
});
