// search_actions says how well each card fits the intent, from what the backend tells: a relevance
// score (the sandbox) makes `match` strong or weak and lets a search with no strong match say so; an
// order alone (Membrane's API) gives `match: "unknown"` and says that too. The server factory with a fake
// MembraneClient, served in process to the SDK Client.
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Action, Backend, Connection, MembraneClient } from '../../src/membrane/membrane-client.js';
import { toAction } from '../../src/membrane/response-schemas.js';
import { actionCard, matchStrength } from '../../src/results/cards.js';
import { cliHints } from '../../src/membrane/cli/cli-hints.js';
import { createServerFactory } from '../../src/server.js';
import { connectInProcess } from '../helpers/in-process.js';

const CONNECTIONS: Connection[] = [{ id: 'conn-amo', name: 'AmoCRM', state: 'READY', disconnected: false, connectorKey: 'amocrm' }];

function action(key: string, type: string, score?: number): Action {
  return {
    id: `id-${key}`,
    key,
    name: key.replace(/-/g, ' '),
    description: `${key} in AmoCRM.`,
    type,
    inputSchema: { type: 'object', properties: { name: { type: 'string' } } },
    ...(score === undefined ? {} : { score }),
  };
}

function fakeClient(backend: Backend, found: Action[]): MembraneClient {
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    backend,
    hints: cliHints(backend === 'sandbox-cli' ? 'membrane-sandbox' : 'membrane', backend),
    listConnections: () => Promise.resolve(CONNECTIONS),
    listActions: (q) => Promise.resolve(found.slice(0, q.limit)),
    getAction: unused,
    createAction: unused,
    runAction: unused,
    request: unused,
    describe: unused,
    checkAccess: unused,
    close: () => Promise.resolve(),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

interface Card {
  key: string;
  kind: string;
  match: string;
}
interface Found {
  actions: Card[];
  hidden?: number;
  nextStep?: string;
}

async function search(
  backend: Backend,
  found: Action[],
  args: Record<string, unknown>,
  settings: Record<string, unknown> = {},
): Promise<Found> {
  const log = createLogger({ level: 'error', write: () => undefined });
  const { factory } = createServerFactory({
    settings: SettingsSchema.parse(settings),
    client: fakeClient(backend, found),
    log,
    version: '0.0.0-test',
  });
  const served = await connectInProcess(factory, { era: 'legacy' });
  closers.push(() => served.close());
  const result = (await served.client.callTool({ name: 'amocrm_search_actions', arguments: args })) as CallToolResult;
  expect(result.isError).toBeFalsy();
  return result.structuredContent as unknown as Found;
}

const SCORED = [
  action('create-lead', 'create-data-record', 1),
  action('update-lead', 'update-data-record', 0.49),
  action('list-leads', 'list-data-records', 0.35),
  action('create-contact', 'create-data-record', 0.3),
  action('get-lead', 'find-data-record-by-id', 0.3),
  action('create-task', 'create-data-record', 0.25),
];

describe('search_actions: match from the backend score', () => {
  it('strong from 0.5, weak below; cards keep the backend order; no next step when a card fits', async () => {
    const found = await search('sandbox-cli', SCORED, { intent: 'create a deal' });
    expect(found.actions.map((a) => [a.key, a.match])).toEqual([
      ['create-lead', 'strong'],
      ['update-lead', 'weak'],
      ['list-leads', 'weak'],
      ['create-contact', 'weak'],
      ['get-lead', 'weak'],
    ]);
    expect(found.nextStep).toBeUndefined();
  });

  it('no strong match: says so with the next step (create_action with the intent, or proxy_request), and shows at most three weak cards', async () => {
    const weak = SCORED.slice(1);
    const found = await search('sandbox-cli', weak, { intent: 'send an email to the client', limit: 5 });
    expect(found.actions.map((a) => a.match)).toEqual(['weak', 'weak', 'weak']);
    expect(found.nextStep).toMatch(/^No strong match/);
    expect(found.nextStep).toContain('amocrm_create_action with {"description":"send an email to the client"}');
    expect(found.nextStep).toContain('amocrm_proxy_request');
  });

  it('nothing at all: no cards, the same next step', async () => {
    const found = await search('sandbox-cli', [], { intent: 'what is the weather' });
    expect(found.actions).toEqual([]);
    expect(found.nextStep).toMatch(/^No action matches; build one with amocrm_create_action/);
  });

  it('read-only: a strong match it hides is named as not allowed, not as missing', async () => {
    const found = await search('sandbox-cli', SCORED, { intent: 'create a deal' }, { readOnly: true });
    expect(found.actions.every((a) => a.kind === 'read' && a.match === 'weak')).toBe(true);
    expect(found.hidden).toBeGreaterThan(0);
    expect(found.nextStep).toMatch(/^No strong match allowed here: 1 matching action\(s\) are not allowed on this server/);
  });
});

describe('search_actions: a backend that gives only an order', () => {
  it('match "unknown" on every card, and a next step that says the order carries no relevance', async () => {
    const unscored = SCORED.map(({ score: _score, ...a }) => a);
    const found = await search('membrane-api', unscored, { intent: 'create a deal', limit: 3 });
    expect(found.actions.map((a) => a.match)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(found.nextStep).toMatch(/^Membrane ranks without a relevance score/);
    expect(found.nextStep).toContain('amocrm_create_action');
  });
});

describe('relevance on the Action and the card', () => {
  it('parses a score tolerantly: a number in 0–1 is kept, anything else is dropped', () => {
    const base = { id: 'a1', name: 'A' };
    expect(toAction({ ...base, score: 0.72 })?.score).toBe(0.72);
    expect(toAction({ ...base, score: 0 })?.score).toBe(0);
    for (const bad of [1.5, -0.1, '0.9', null, { value: 1 }]) {
      const parsed = toAction({ ...base, score: bad });
      expect(parsed).toMatchObject(base);
      expect(parsed).not.toHaveProperty('score');
    }
  });

  it('matchStrength and the card field: only search cards carry match', () => {
    expect(matchStrength(action('x', 'list-data-records', 0.5))).toBe('strong');
    expect(matchStrength(action('x', 'list-data-records', 0.49))).toBe('weak');
    expect(matchStrength(action('x', 'list-data-records'))).toBe('unknown');
    expect(actionCard(action('x', 'list-data-records', 0.9), { withMatch: true }).match).toBe('strong');
    expect(actionCard(action('x', 'list-data-records', 0.9))).not.toHaveProperty('match');
  });
});
