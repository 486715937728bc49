// Read-only mode, allow and deny globs over `connector:key|id|type`, denied proxy methods.
// Every denial is POLICY_DENIED and names the setting that caused it.
import { describe, expect, it } from 'vitest';
import type { ToolError } from '../../src/errors.js';
import type { ActionKind } from '../../src/policy/action-kind.js';
import { Policy, actionRef } from '../../src/policy/rules.js';

type Rules = ConstructorParameters<typeof Policy>[0];

function policy(rules: Partial<Rules> = {}): Policy {
  return new Policy({ readOnly: false, allowActions: [], denyActions: [], denyMethods: [], ...rules });
}

/** An action whose kind Membrane vouches for (its type), as the prebuilt catalog's are. */
const act = (key: string | undefined, kind: ActionKind = 'read', id = `id-${key ?? 'x'}`) => ({ id, key, kind, trusted: true });

function expectDenied(e: ToolError | undefined, setting: string): ToolError {
  expect(e, 'expected a denial').toBeDefined();
  expect(e!.code).toBe('POLICY_DENIED');
  expect(e!.retryable).toBe(false);
  expect(e!.nextStep).toBeTruthy();
  expect(e!.details?.setting).toBe(setting);
  return e!;
}

describe('Policy: no rules', () => {
  it('allows every action and method, hides nothing', () => {
    const p = policy();
    for (const kind of ['read', 'write', 'destructive', 'unknown'] as const) {
      expect(p.actionDenial('amocrm', act('anything', kind))).toBeUndefined();
    }
    for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) expect(p.methodDenial('amocrm', m)).toBeUndefined();
  });
});

describe('Policy: deny globs', () => {
  const p = policy({ denyActions: ['amocrm:list-*', '1crm:*-invoice'] });

  it.each([
    ['amocrm', 'list-leads'],
    ['amocrm', 'list-'],
    ['1crm', 'delete-invoice'],
    ['1crm', 'create-invoice'],
  ])('denies and hides %s:%s', (connector, key) => {
    const e = expectDenied(p.actionDenial(connector, act(key)), 'denyActions');
    expect(e.message).toContain('--deny-actions');
    expect(e.message).toContain(`${connector}:${key}`);
  });

  it.each([
    ['amocrm', 'get-lead'],
    ['1crm', 'list-leads'], // the list-* rule is for amocrm only
    ['amocrm', 'delete-invoice'], // the *-invoice rule is for 1crm only
    ['1crm', 'invoice-list'],
  ])('leaves %s:%s alone', (connector, key) => {
    expect(p.actionDenial(connector, act(key))).toBeUndefined();
  });

  it('matches case-insensitively', () => {
    expect(p.actionDenial('AmoCRM', act('LIST-Leads'))).toBeDefined();
    expect(policy({ denyActions: ['AMOCRM:Delete-*'] }).actionDenial('amocrm', act('delete-lead'))).toBeDefined();
  });

  it('matches by id as well as by key', () => {
    const byId = policy({ denyActions: ['amocrm:65f0aa11'] });
    expect(byId.actionDenial('amocrm', act('list-leads', 'read', '65f0aa11'))).toBeDefined();
    expect(byId.actionDenial('amocrm', act(undefined, 'read', '65f0aa11'))).toBeDefined();
    expect(byId.actionDenial('amocrm', act('list-leads', 'read', '65f0aa12'))).toBeUndefined();
    // A key rule still catches the action when the agent names it by id (the action carries its key).
    expect(p.actionDenial('amocrm', act('list-leads', 'read', '65f0aa11'))).toBeDefined();
  });

  it('a bare * denies everything of every connector', () => {
    const all = policy({ denyActions: ['*'] });
    expect(all.actionDenial('amocrm', act('get-lead'))).toBeDefined();
    expect(all.actionDenial('1crm', act('list-accounts'))).toBeDefined();
  });
});

describe('Policy: allow list', () => {
  const p = policy({ allowActions: ['amocrm:list-*', '1crm:get-*'] });

  it('allows what matches', () => {
    expect(p.actionDenial('amocrm', act('list-leads'))).toBeUndefined();
    expect(p.actionDenial('1crm', act('get-account'))).toBeUndefined();
  });

  it('denies and hides everything else, naming --allow-actions', () => {
    for (const [c, k] of [
      ['amocrm', 'create-lead'],
      ['1crm', 'list-accounts'],
      ['hubspot', 'list-deals'],
    ]) {
      const e = expectDenied(p.actionDenial(c, act(k, 'write')), 'allowActions');
      expect(e.message).toContain('--allow-actions');
    }
  });

  it('deny beats allow', () => {
    const both = policy({ allowActions: ['amocrm:*'], denyActions: ['amocrm:delete-*'] });
    expect(both.actionDenial('amocrm', act('list-leads'))).toBeUndefined();
    expectDenied(both.actionDenial('amocrm', act('delete-lead', 'destructive')), 'denyActions');
  });
});

describe('Policy: read-only', () => {
  const p = policy({ readOnly: true });

  it('runs read actions only', () => {
    expect(p.actionDenial('amocrm', act('list-leads', 'read'))).toBeUndefined();
  });

  it.each(['write', 'destructive', 'unknown'] as const)('denies and hides %s actions, naming --read-only', (kind) => {
    const e = expectDenied(p.actionDenial('1crm', act('do-something', kind)), 'readOnly');
    expect(e.message).toContain('--read-only');
    expect(e.message).toContain(kind);
    expect(e.details?.kind).toBe(kind);
  });

  it('an explicit deny is reported before read-only', () => {
    const both = policy({ readOnly: true, denyActions: ['amocrm:create-*'] });
    expectDenied(both.actionDenial('amocrm', act('create-lead', 'write')), 'denyActions');
  });

  it('allows only GET and HEAD on the proxy', () => {
    expect(p.methodDenial('amocrm', 'GET')).toBeUndefined();
    expect(p.methodDenial('amocrm', 'HEAD')).toBeUndefined();
    expect(p.methodDenial('amocrm', 'get')).toBeUndefined();
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'delete', 'OPTIONS']) {
      const e = expectDenied(p.methodDenial('amocrm', m), 'readOnly');
      expect(e.message).toContain('--read-only');
      expect(e.message).toContain(m.toUpperCase());
    }
  });
});

describe('Policy: --deny-methods', () => {
  it('a bare method is denied for every connector, in any case', () => {
    const p = policy({ denyMethods: ['delete', 'PUT'] });
    for (const c of ['amocrm', '1crm']) {
      expectDenied(p.methodDenial(c, 'DELETE'), 'denyMethods');
      expectDenied(p.methodDenial(c, 'delete'), 'denyMethods');
      expectDenied(p.methodDenial(c, 'PUT'), 'denyMethods');
      expect(p.methodDenial(c, 'POST')).toBeUndefined();
      expect(p.methodDenial(c, 'GET')).toBeUndefined();
    }
    expect(p.methodDenial('amocrm', 'DELETE')!.message).toContain('--deny-methods');
  });

  it('connector:METHOD limits the rule to that connector', () => {
    const p = policy({ denyMethods: ['1crm:DELETE', 'AmoCRM:patch'] });
    expectDenied(p.methodDenial('1crm', 'DELETE'), 'denyMethods');
    expect(p.methodDenial('amocrm', 'DELETE')).toBeUndefined();
    expectDenied(p.methodDenial('amocrm', 'PATCH'), 'denyMethods');
    expectDenied(p.methodDenial('AMOCRM', 'PATCH'), 'denyMethods');
    expect(p.methodDenial('1crm', 'PATCH')).toBeUndefined();
  });

  it('read-only is reported before a method rule', () => {
    const p = policy({ readOnly: true, denyMethods: ['DELETE'] });
    expectDenied(p.methodDenial('amocrm', 'DELETE'), 'readOnly');
  });
});

describe('actions an agent names itself (create_action)', () => {
  const built = (key: string, type: string | undefined, isReadOnly?: boolean) =>
    actionRef({ id: `id-${key}`, key, name: key.replace(/-/g, ' '), type, isReadOnly });

  it('deny globs also match the Membrane type, so renaming a built action does not escape them', () => {
    const p = new Policy({ readOnly: false, allowActions: [], denyActions: ['amocrm:update-*'], denyMethods: [] });
    expect(p.actionDenial('amocrm', built('reprice-lead', 'update-data-record'))?.details).toMatchObject({ setting: 'denyActions' });
    expect(p.actionDenial('amocrm', built('list-leads', 'list-data-records'))).toBeUndefined();
  });

  it('an allow rule that matches only the key admits proven reads, never a write or delete, whatever its name', () => {
    const p = new Policy({ readOnly: false, allowActions: ['amocrm:list-*', 'amocrm:get-*'], denyActions: [], denyMethods: [] });
    expect(p.actionDenial('amocrm', built('list-leads', 'list-data-records'))).toBeUndefined();
    for (const [key, type] of [
      ['list-and-add-leads', 'create-data-record'],
      ['get-or-create-lead', 'find-or-create-data-record'],
      ['list-leads-cleanup', 'update-data-record'],
      ['list-then-archive', 'delete-data-record'],
      ['list-report', 'connector-operation'],
    ]) {
      const e = p.actionDenial('amocrm', built(key, type));
      expect(e?.code, key).toBe('POLICY_DENIED');
      expect(e?.message).toMatch(/only by its key/);
      expect(e?.nextStep).toContain(`amocrm:id-${key}`);
      expect(e?.details).toMatchObject({ setting: 'allowActions' });
    }
  });

  it('a write runs under an allow list when a rule names its Membrane type or its id', () => {
    const byType = new Policy({ readOnly: false, allowActions: ['amocrm:create-data-record'], denyActions: [], denyMethods: [] });
    expect(byType.actionDenial('amocrm', built('new-deal', 'create-data-record'))).toBeUndefined();
    expect(byType.actionDenial('amocrm', built('new-deal', 'delete-data-record'))?.details).toMatchObject({ setting: 'allowActions' });
    const byId = new Policy({ readOnly: false, allowActions: ['amocrm:id-create-lead'], denyActions: [], denyMethods: [] });
    expect(byId.actionDenial('amocrm', built('create-lead', 'create-data-record'))).toBeUndefined();
    const everything = new Policy({ readOnly: false, allowActions: ['amocrm:*'], denyActions: [], denyMethods: [] });
    expect(everything.actionDenial('amocrm', built('anything', 'delete-data-record'))).toBeUndefined();
  });

  it('read-only runs only reads Membrane vouches for (type or isReadOnly), not names', () => {
    const p = new Policy({ readOnly: true, allowActions: [], denyActions: [], denyMethods: [] });
    expect(p.actionDenial('amocrm', built('list-leads', 'list-data-records'))).toBeUndefined();
    expect(p.actionDenial('amocrm', built('get-report', 'connector-operation', true))).toBeUndefined();
    expect(p.actionDenial('amocrm', built('get-report', 'connector-operation'))?.message).toMatch(/does not prove it only reads/);
    expect(p.actionDenial('amocrm', built('get-report', 'connector-operation', false))?.code).toBe('POLICY_DENIED');
  });
});
