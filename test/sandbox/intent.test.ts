// Intent search and description parsing: unit tests over small synthetic catalogs and the real emulations.
// The accuracy over a labelled set of intents is intent-eval.test.ts.
import { describe, expect, it } from 'vitest';
import { parseDescription, rankActions, stem, STRONG_MATCH, tokenize } from '../../src/sandbox/intent.js';
import { amocrm } from '../../src/sandbox/amocrm/amocrm-emulator.js';
import { onecrm } from '../../src/sandbox/onecrm/onecrm-emulator.js';
import type { ActionDef, EntityVocab, Operation } from '../../src/sandbox/emulator-types.js';

function action(key: string, operation: Operation, entity: string, description = ''): ActionDef {
  return {
    key,
    name: key.replace(/-/g, ' '),
    description,
    type: 'connector-operation',
    operation,
    entity,
    inputSchema: { type: 'object' },
    outputSchema: {},
    run: () => ({}),
  };
}

const CRUD: Operation[] = ['list', 'get', 'search', 'create', 'update'];

/** A small AmoCRM-like catalog: leads (deals), contacts, companies, tasks. */
const AMO_VOCAB: EntityVocab[] = [
  { id: 'lead', name: 'Lead', words: ['lead', 'deal'], operations: [...CRUD, 'add-note'] },
  { id: 'contact', name: 'Contact', words: ['contact'], operations: [...CRUD, 'add-note'] },
  { id: 'company', name: 'Company', words: ['company'], operations: [...CRUD, 'add-note'] },
  { id: 'task', name: 'Task', words: ['task'], operations: [...CRUD, 'complete'] },
];
const AMO_ACTIONS: ActionDef[] = [
  ...['lead', 'contact', 'company', 'task'].flatMap((e) => [
    action(`list-${e}s`, 'list', e, `List ${e}s page by page`),
    action(`get-${e}`, 'get', e, `Get one ${e} by id`),
    action(`search-${e}s`, 'search', e, `Search ${e}s by name, phone or email`),
    action(`create-${e}`, 'create', e, `Create a ${e}`),
    action(`update-${e}`, 'update', e, `Update a ${e}`),
  ]),
  action('complete-task', 'complete', 'task', 'Mark a task as completed'),
  action('add-note', 'add-note', 'lead', 'Add a note to a lead, contact or company'),
];

/** A small 1CRM-like catalog: accounts, contacts, opportunities, cases, tasks. */
const ONE_VOCAB: EntityVocab[] = [
  { id: 'account', name: 'Account', words: ['account'], operations: [...CRUD, 'delete'] },
  { id: 'contact', name: 'Contact', words: ['contact'], operations: [...CRUD, 'delete'] },
  { id: 'opportunity', name: 'Opportunity', words: ['opportunity'], operations: [...CRUD, 'delete'] },
  { id: 'case', name: 'Case', words: ['case'], operations: [...CRUD, 'delete'] },
  { id: 'task', name: 'Task', words: ['task'], operations: [...CRUD, 'delete', 'complete'] },
];
const ONE_ACTIONS: ActionDef[] = ['account', 'contact', 'opportunity', 'case', 'task'].flatMap((e) =>
  (['list', 'get', 'search', 'create', 'update', 'delete'] as Operation[]).map((op) => action(`${op}-${e}`, op, e, `${op} ${e}`)),
);

const top = (intent: string, actions: ActionDef[], vocab: EntityVocab[], limit = 10) =>
  rankActions(intent, actions, vocab)
    .slice(0, limit)
    .map((r) => r.action.key);
const strongKeys = (intent: string, actions: ActionDef[], vocab: EntityVocab[]) =>
  rankActions(intent, actions, vocab)
    .filter((r) => r.score >= STRONG_MATCH)
    .map((r) => r.action.key);

describe('tokenizer and stemmer', () => {
  it('lower-cases and splits on anything but letters and digits, in any script', () => {
    expect(tokenize('Create a NEW deal, 2 items!')).toEqual(['create', 'a', 'new', 'deal', '2', 'items']);
    expect(tokenize('Найти сделку по e-mail')).toEqual(['найти', 'сделку', 'по', 'e', 'mail']);
    expect(tokenize('  ')).toEqual([]);
  });

  it('folds English and Russian word endings onto one stem (Porter and Russian Snowball)', () => {
    const same = (words: string[]) => expect(new Set(words.map(stem)).size, words.join(',')).toBe(1);
    same(['create', 'creates', 'created', 'creating']);
    same(['company', 'companies']);
    same(['opportunity', 'opportunities']);
    same(['lead', 'leads']);
    same(['close', 'closed', 'closing', 'closes']);
    same(['meeting', 'meetings']);
    same(['сделка', 'сделку', 'сделки', 'сделке', 'сделкой']);
    same(['задача', 'задачу', 'задачи']);
    same(['контакт', 'контакта', 'контакту', 'контакты', 'контактов']);
    same(['ёлка', 'елка']);
    expect(stem('called')).toBe('call');
    // Numbers and ids pass unchanged.
    expect(stem('42')).toBe('42');
    expect(stem('10k')).toBe('10k');
  });
});

describe('rankActions (synthetic catalogs)', () => {
  it('AmoCRM-like: "create a deal" → create-lead first', () => {
    expect(top('create a deal', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('create-lead');
    expect(top('new deal', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('create-lead');
  });

  it('1CRM-like: deal → opportunity, company → account, person → contact, ticket → case', () => {
    expect(top('create a deal', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('create-opportunity');
    expect(top('create an account', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('create-account');
    expect(top('register a new company', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('create-account');
    expect(top('find a person by email', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('search-contact');
    expect(top('close the ticket', ONE_ACTIONS, ONE_VOCAB, 3)).toContain('update-case');
    expect(top('remove the ticket', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('delete-case');
  });

  it('operation synonyms: complete, add-note, list, get', () => {
    expect(top('mark the task as done', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('complete-task');
    expect(top('finish my task', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('complete-task');
    expect(top('comment on a deal', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('add-note');
    expect(top('show all companies', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('list-companys');
    expect(top('fetch a contact', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('get-contact');
    expect(top('modify the lead', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('update-lead');
  });

  it('leaves out what matches nothing: an intent nothing fits gets no padding', () => {
    expect(rankActions('zzz qqq', AMO_ACTIONS, AMO_VOCAB)).toEqual([]);
    expect(rankActions('', ONE_ACTIONS, ONE_VOCAB)).toEqual([]);
    expect(rankActions('the of and', ONE_ACTIONS, ONE_VOCAB)).toEqual([]);
    const deal = rankActions('create a deal', AMO_ACTIONS, AMO_VOCAB);
    expect(deal.length).toBeLessThan(AMO_ACTIONS.length);
    expect(deal.every((r) => r.score > 0 && r.score <= 1)).toBe(true);
  });

  it('scores: strong (≥ 0.5) when the intent names the record type and the operation, weak otherwise', () => {
    const deal = rankActions('create a deal', AMO_ACTIONS, AMO_VOCAB);
    expect(deal[0]).toEqual({ action: expect.objectContaining({ key: 'create-lead' }), score: 1 });
    expect(strongKeys('create a deal', AMO_ACTIONS, AMO_VOCAB)).toEqual(['create-lead']);
    // Weak: other lead actions (record type only) and other creates (operation only), below 0.5.
    expect(deal.slice(1).every((r) => r.score < STRONG_MATCH)).toBe(true);
    expect(deal.map((r) => r.action.key)).toEqual(expect.arrayContaining(['update-lead', 'create-contact']));
    // No operation named: the reads of the record type are strong, the writes are not.
    expect(strongKeys('leads', AMO_ACTIONS, AMO_VOCAB)).toEqual(['list-leads', 'get-lead', 'search-leads']);
    // An operation the catalog does not have, a request out of scope, or no record type: nothing strong.
    expect(strongKeys('delete a lead', AMO_ACTIONS, AMO_VOCAB)).toEqual([]);
    expect(strongKeys('send an email to the contact', AMO_ACTIONS, AMO_VOCAB)).toEqual([]);
    expect(strongKeys('create something nice', AMO_ACTIONS, AMO_VOCAB)).toEqual([]);
  });

  it('a read intent ranks reads first; a destructive action never outranks a read through a description word', () => {
    const catalog = [
      action('list-accounts', 'list', 'account', 'List accounts page by page'),
      action('delete-account', 'delete', 'account', 'Delete an account: it disappears from lists and gets'),
      action('get-account', 'get', 'account', 'Get one account by id'),
      action('update-account', 'update', 'account', 'Update an account; lists show the change'),
    ];
    const keys = top('list accounts', catalog, ONE_VOCAB);
    expect(keys[0]).toBe('list-accounts');
    expect(keys.indexOf('get-account')).toBeLessThan(keys.indexOf('delete-account'));
    expect(keys.indexOf('get-account')).toBeLessThan(keys.indexOf('update-account'));
    expect(top('which accounts are there', catalog, ONE_VOCAB)[0]).toBe('list-accounts');
  });

  it('typos: one slip per word (missing, extra, wrong or swapped letter)', () => {
    expect(top('creat a deal', AMO_ACTIONS, AMO_VOCAB)[0]).toBe('create-lead');
    expect(top('delet contcat', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('delete-contact');
    expect(top('updte the compnay', ONE_ACTIONS, ONE_VOCAB)[0]).toBe('update-account');
    // A real word two slips from a known one is not corrected into it.
    expect(strongKeys('connect google calendar', ONE_ACTIONS, ONE_VOCAB)).toEqual([]);
  });

  it('ties keep catalog order', () => {
    expect(top('task', AMO_ACTIONS, AMO_VOCAB, 3)).toEqual(['list-tasks', 'get-task', 'search-tasks']);
  });
});

describe('parseDescription', () => {
  const amo = { name: 'AmoCRM', entities: AMO_VOCAB };
  const one = { name: '1CRM', entities: ONE_VOCAB };

  it('maps a description to (operation, entity) through the synonyms', () => {
    expect(parseDescription('Create a deal with a budget', amo)).toEqual({ operation: 'create', entity: 'lead' });
    expect(parseDescription('create a deal', one)).toEqual({ operation: 'create', entity: 'opportunity' });
    expect(parseDescription('find people by phone', one)).toEqual({ operation: 'search', entity: 'contact' });
    expect(parseDescription('mark the task as complete', amo)).toEqual({ operation: 'complete', entity: 'task' });
    expect(parseDescription('add a note to a lead', amo)).toEqual({ operation: 'add-note', entity: 'lead' });
  });

  it('prefers an operation the entity supports ("close the ticket" → update when cases cannot be completed)', () => {
    expect(parseDescription('close the ticket', one)).toEqual({ operation: 'update', entity: 'case' });
    expect(parseDescription('close the task', one)).toEqual({ operation: 'complete', entity: 'task' });
  });

  it('the first entity named is the one built', () => {
    expect(parseDescription('create a contact for a company', one)).toEqual({ operation: 'create', entity: 'contact' });
  });

  it('explains what it cannot map', () => {
    const noEntity = parseDescription('fly to the moon', amo);
    expect(noEntity).toEqual({ reason: expect.stringContaining('No AmoCRM entity') });
    expect((noEntity as { reason: string }).reason).toContain('Lead, Contact, Company, Task');
    expect(parseDescription('the lead', amo)).toEqual({ reason: expect.stringContaining('Could not tell what the action should do') });
    // Unsupported pairs come back as is, so buildAction can give the CRM-specific reason.
    expect(parseDescription('delete a lead', amo)).toEqual({ operation: 'delete', entity: 'lead' });
  });
});

describe('rankActions (real 1CRM emulation)', () => {
  const rank = (intent: string, limit = 10) => top(intent, onecrm.actions, onecrm.entities, limit);

  it('acceptance: account, person by email, ticket, deal', () => {
    expect(rank('create an account')[0]).toBe('create-account');
    expect(rank('find a person by email', 3)).toContain('search-contacts');
    expect(rank('close the ticket', 3)).toContain('update-case');
    expect(rank('create a deal')[0]).toBe('create-opportunity');
    expect(rank('delete an invoice')[0]).toBe('delete-invoice');
    expect(rank('list all meetings')[0]).toBe('list-meetings');
  });

  it('descriptions map to buildable actions', () => {
    const parsed = parseDescription('log a phone call', onecrm);
    expect(parsed).toEqual({ operation: 'create', entity: expect.any(String) });
    expect(parseDescription('close the ticket', onecrm)).toMatchObject({ entity: 'case' });
    const built = onecrm.buildAction('create', 'account', 'New account', 'create an account');
    expect(built.ok).toBe(true);
  });
});

describe('rankActions (real AmoCRM emulation)', () => {
  const rank = (intent: string, limit = 10) => top(intent, amocrm.actions, amocrm.entities, limit);

  it('acceptance: "create a deal" → create-lead first', () => {
    expect(rank('create a deal')[0]).toBe('create-lead');
    expect(rank('find a person by email', 3)).toContain('search-contacts');
    expect(rank('create a company')[0]).toBe('create-company');
    expect(rank('mark the task as done')[0]).toBe('complete-task');
    expect(rank('add a note to a lead')[0]).toBe('add-note');
    expect(rank('list pipelines')[0]).toBe('list-pipelines');
  });

  it('Russian intents find the same actions as their English versions', () => {
    const pairs: [string, string][] = [
      ['создать сделку', 'create a deal'],
      ['добавить примечание к контакту', 'add a note to a contact'],
      ['закрыть задачу', 'close the task'],
      ['найти контакт по телефону', 'find a contact by phone'],
      ['покажи все компании', 'show all companies'],
    ];
    for (const [ru, en] of pairs) expect(rank(ru)[0], ru).toBe(rank(en)[0]);
    expect(rank('сделки на этой неделе')[0]).toBe('list-leads');
  });

  it('descriptions map to AmoCRM entities, in English and Russian', () => {
    expect(parseDescription('создать сделку', amocrm)).toEqual({ operation: 'create', entity: 'lead' });
    expect(parseDescription('найти контакт по телефону', amocrm)).toEqual({ operation: 'search', entity: 'contact' });
    expect(parseDescription('create a deal', amocrm)).toEqual({ operation: 'create', entity: 'lead' });
    expect(parseDescription('find a person by phone', amocrm)).toMatchObject({ operation: 'search', entity: 'contact' });
    const del = parseDescription('delete a lead', amocrm);
    expect(del).toMatchObject({ operation: 'delete', entity: 'lead' });
    const built = amocrm.buildAction('delete', 'lead', 'x', 'delete a lead');
    expect(built).toEqual({ ok: false, reason: expect.any(String) });
  });
});
