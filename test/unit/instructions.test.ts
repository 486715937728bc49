// Server instructions are the routing text hosts load up front (Claude Code keeps them when it defers tool
// schemas, and cuts them at 2 KB): every combination of settings stays under that, and they name the flow,
// the resources and the prompts.
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { resolveConnectors } from '../../src/connectors.js';
import type { Backend } from '../../src/membrane/membrane-client.js';
import { workflowPrompts } from '../../src/prompts/workflow-prompts.js';
import { serverInstructions } from '../../src/server.js';

const LIMIT_BYTES = 2048;

const cases = (['per-connector', 'shared'] as const).flatMap((toolMode) =>
  [false, true].flatMap((readOnly) =>
    (['sandbox-cli', 'membrane-api'] as Backend[]).flatMap((backend) =>
      [
        ['amocrm', '1crm'],
        ['amocrm', '1crm', 'hubspot', 'salesforce', 'pipedrive'],
      ].map((keys) => ({ toolMode, readOnly, backend, keys })),
    ),
  ),
);

describe('server instructions', () => {
  it.each(cases)('stay under 2 kB: %o', ({ toolMode, readOnly, backend, keys }) => {
    const text = serverInstructions(SettingsSchema.parse({ toolMode, readOnly }), resolveConnectors(keys), { backend });
    expect(Buffer.byteLength(text)).toBeLessThan(LIMIT_BYTES);
  });

  it('name the flow, the resources and every prompt', () => {
    const text = serverInstructions(SettingsSchema.parse({}), resolveConnectors(['amocrm', '1crm']), { backend: 'sandbox-cli' });
    console.log(`server instructions (default, sandbox): ${Buffer.byteLength(text)} bytes`);
    for (const word of ['_list_connections', 'search_actions', 'run_action', 'membrane://{connector}/actions', 'membrane://results/']) {
      expect(text).toContain(word);
    }
    for (const p of workflowPrompts(true)) expect(text).toContain(p.name);
  });
});
