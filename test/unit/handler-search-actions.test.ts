// search_actions: how well each card fits the intent, from what the backend tells (a relevance score makes
// `match` strong or weak, an order alone gives "unknown"), the next step in each case (a fit, only weak
// matches, nothing, matches the rules hide), the over-fetch when rules hide actions, the cards it remembers
// for run_action, its argument errors and a backend failure. Also the score parsing and the card field.
// Handlers called directly (test/helpers/tool-harness.ts) over the shared FakeMembraneClient.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import type { Action, Backend } from '../../src/membrane/membrane-client.js';
import { toAction } from '../../src/membrane/response-schemas.js';
import { actionCard, matchStrength } from '../../src/results/cards.js';
import { FakeMembraneClient, fakeAction } from '../helpers/fake-membrane-client.js';
import { toolHarness } from '../helpers/tool-harness.js';

const SCORED: Action[] = [
  fakeAction('create-lead', 'create-data-record', { score: 1 }),
  fakeAction('update-lead', 'update-data-record', { score: 0.49 }),
  fakeAction('list-leads', 'list-data-records', { score: 0.35 }),
  fakeAction('create-contact', 'create-data-record', { score: 0.3 }),
  fakeAction('get-lead', 'find-data-record-by-id', { score: 0.3 }),
  fakeAction('create-task', 'create-data-record', { score: 0.25 }),
];
const UNSCORED = SCORED.map(({ score: _score, ...a }) => a);

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
  actions: Action[],
  args: Record<string, unknown>,
  settings: Record<string, unknown> = {},
  backend: Backend = 'sandbox-cli',
): Promise<Found> {
  const h = toolHarness({ client: new FakeMembraneClient({ backend, actions }), settings });
  return (await h.call('search_actions', args)) as unknown as Found;
}

describe('search_actions: match and next step', () => {
  it.each([
    {
      name: 'a strong match: strong from 0.5, weak below, the backend order kept, no next step',
      actions: SCORED,
      args: { intent: 'create a deal' },
      cards: [
        ['create-lead', 'strong'],
        ['update-lead', 'weak'],
        ['list-leads', 'weak'],
        ['create-contact', 'weak'],
        ['get-lead', 'weak'],
      ],
      nextStep: undefined,
    },
    {
      name: 'only weak matches: at most three cards, and the way to build one with the intent',
      actions: SCORED.slice(1),
      args: { intent: 'send an email to the client', limit: 5 },
      cards: [
        ['update-lead', 'weak'],
        ['list-leads', 'weak'],
        ['create-contact', 'weak'],
      ],
      nextStep:
        /^No strong match: .*amocrm_create_action with \{"description":"send an email to the client"\}, or call the API with amocrm_proxy_request/,
    },
    {
      name: 'nothing: no cards, build one or call the API',
      actions: [],
      args: { intent: 'what is the weather' },
      cards: [],
      nextStep: /^No action matches; build one with amocrm_create_action/,
    },
    {
      name: 'read-only: a hidden strong match is named as not allowed, not as missing; create_action is not offered',
      actions: SCORED,
      args: { intent: 'create a deal' },
      settings: { readOnly: true },
      cards: [
        ['list-leads', 'weak'],
        ['get-lead', 'weak'],
      ],
      hidden: 4,
      nextStep: /^No strong match allowed here: 1 matching action\(s\) are not allowed on this server/,
    },
    {
      name: 'every match denied: say so, and point at proxy_request',
      actions: SCORED.slice(0, 2),
      args: { intent: 'create a deal' },
      settings: { denyActions: ['amocrm:*'] },
      cards: [],
      hidden: 2,
      nextStep: /^2 matching action\(s\) are not allowed on this server .*, or try amocrm_proxy_request/,
    },
  ])('$name', async ({ actions, args, settings, cards, hidden, nextStep }) => {
    const found = await search(actions, args, settings);
    expect(found.actions.map((a) => [a.key, a.match])).toEqual(cards);
    expect(found.hidden).toBe(hidden);
    if (nextStep) expect(found.nextStep).toMatch(nextStep);
    else expect(found.nextStep).toBeUndefined();
    if (settings?.readOnly) expect(found.nextStep).not.toContain('create_action');
  });

  it('a backend that gives only an order: match "unknown" on every card, and a next step that says so', async () => {
    const found = await search(UNSCORED, { intent: 'create a deal', limit: 3 }, {}, 'membrane-api');
    expect(found.actions.map((a) => a.match)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(found.nextStep).toMatch(/^Membrane ranks without a relevance score/);
    expect(found.nextStep).toContain('amocrm_create_action');
  });

  it('the sandbox without scores is called "the backend", not Membrane', async () => {
    const found = await search(UNSCORED, { intent: 'create a deal' }, {}, 'sandbox-api');
    expect(found.nextStep).toMatch(/^The backend ranks without a relevance score/);
  });

  it('cards carry the kind from the Membrane type, and schemas only when asked', async () => {
    const plain = (await search(SCORED, { intent: 'create a deal', limit: 1 })).actions[0];
    expect(plain).toMatchObject({ key: 'create-lead', kind: 'write' });
    expect(plain).not.toHaveProperty('inputSchema');
    const full = (await search(SCORED, { intent: 'create a deal', limit: 1, includeSchemas: true })).actions[0];
    expect(full).toHaveProperty('inputSchema');
  });
});

describe('search_actions: what it asks the backend', () => {
  it.each([
    { name: 'no rules: exactly the limit (default 5)', args: {}, settings: {}, asked: 5 },
    { name: 'no rules, limit 2', args: { limit: 2 }, settings: {}, asked: 2 },
    { name: 'read-only: three times the limit', args: { limit: 4 }, settings: { readOnly: true }, asked: 12 },
    { name: 'deny rules: three times the limit', args: {}, settings: { denyActions: ['amocrm:delete-*'] }, asked: 15 },
    {
      name: 'allow rules: three times the limit, at most 50',
      args: { limit: 20 },
      settings: { allowActions: ['amocrm:list-*'] },
      asked: 50,
    },
  ])('$name', async ({ args, settings, asked }) => {
    const client = new FakeMembraneClient();
    await toolHarness({ client, settings }).call('search_actions', { intent: 'leads', ...args });
    expect(client.callsOf('listActions').map((c) => c.q)).toEqual([{ connectionId: 'conn-amo', intent: 'leads', limit: asked }]);
  });

  it('remembers the cards it showed (run_action by key then needs no `action get`); says what it does, the intent quoted', async () => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client, settings: { cache: true } });
    await h.call('search_actions', { intent: 'find "big" deals' });
    expect(h.doing).toEqual(['Searching AmoCRM actions for "find \\"big\\" deals"']);
    await h.call('run_action', { actionId: 'list-leads' });
    expect(client.callsOf('getAction')).toEqual([]);
    expect(client.callsOf('runAction').map((c) => c.q.actionId)).toEqual(['act-list-leads']);
  });
});

describe('search_actions: errors', () => {
  it.each([
    { name: 'no intent', args: {}, field: 'intent' },
    { name: 'an empty intent', args: { intent: '' }, field: 'intent' },
    { name: 'an intent over 200 characters', args: { intent: 'x'.repeat(201) }, field: 'intent' },
    { name: 'a limit over 20', args: { intent: 'x', limit: 21 }, field: 'limit' },
    { name: 'a connectionId shaped like a flag', args: { intent: 'x', connectionId: '--all' }, field: 'connectionId' },
  ])('$name: INVALID_INPUT on $field, nothing asked of the backend', async ({ args, field }) => {
    const h = toolHarness();
    expect(await h.invalidFields('search_actions', args)).toContain(field);
    expect(h.client.calls).toEqual([]);
  });

  it('a backend failure of the search is the call’s error', async () => {
    const client = new FakeMembraneClient().failNext('listActions', new ToolError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 2 }));
    const e = await toolHarness({ client }).error('search_actions', { intent: 'list leads' });
    expect(e).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 2 });
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
    const list = (score?: number) => fakeAction('x', 'list-data-records', score === undefined ? {} : { score });
    expect(matchStrength(list(0.5))).toBe('strong');
    expect(matchStrength(list(0.49))).toBe('weak');
    expect(matchStrength(list())).toBe('unknown');
    expect(actionCard(list(0.9), { withMatch: true }).match).toBe('strong');
    expect(actionCard(list(0.9))).not.toHaveProperty('match');
  });
});
