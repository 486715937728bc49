// Classification of actions into read / write / destructive / unknown: Membrane types are trusted, names are not.
import { describe, expect, it } from 'vitest';
import { classifyAction } from '../../src/policy/action-kind.js';

const actionKind = (a: Parameters<typeof classifyAction>[0]) => classifyAction(a).kind;

describe('actionKind', () => {
  it.each([
    ['list-data-records', 'read'],
    ['find-data-record-by-id', 'read'],
    ['search-data-record', 'read'],
    ['match-data-record', 'read'],
    ['create-data-record', 'write'],
    ['update-data-record', 'write'],
    ['find-or-create-data-record', 'write'],
    ['delete-data-record', 'destructive'],
  ])('type %s → %s, whatever the name says', (type, kind) => {
    // The name deliberately says something else: the type wins.
    expect(actionKind({ type, key: 'something', name: 'Frobnicate' })).toBe(kind);
    expect(actionKind({ type, key: 'delete-all', name: 'Delete all' })).toBe(kind);
  });

  it.each([
    // [key, name, kind]
    ['delete-lead', 'Delete lead', 'destructive'],
    ['archive-account', 'Archive account', 'destructive'],
    ['merge-contacts', 'Merge contacts', 'destructive'],
    ['remove_tag', 'Remove tag', 'destructive'],
    ['cancel-meeting', 'Cancel meeting', 'destructive'],
    ['create-lead', 'Create lead', 'write'],
    ['update-contact', 'Update contact', 'write'],
    ['complete-task', 'Complete task', 'write'],
    ['send-email', 'Send email', 'write'],
    ['add-note', 'Add note', 'write'],
    ['list-leads', 'List leads', 'read'],
    ['get-account', 'Get account', 'read'],
    ['search-contacts', 'Search contacts', 'read'],
    ['find-company', 'Find company', 'read'],
    ['frobnicate-widget', 'Frobnicate widget', 'unknown'],
    ['xyzzy', 'Plugh', 'unknown'],
  ])('key %s / name %s → %s (generic connector-operation type)', (key, name, kind) => {
    expect(actionKind({ type: 'connector-operation', key, name })).toBe(kind);
  });

  it('reads the verb from the key or the name when the type is absent', () => {
    expect(actionKind({ key: 'delete-invoice', name: 'Invoice tool' })).toBe('destructive');
    expect(actionKind({ name: 'List open deals' })).toBe('read');
    expect(actionKind({ key: 'leads.create', name: 'Leads' })).toBe('write');
    expect(actionKind({ key: 'LIST_USERS', name: 'Users' })).toBe('read');
  });

  it('destructive wins over write, write over read', () => {
    expect(actionKind({ name: 'Find and delete duplicates' })).toBe('destructive');
    expect(actionKind({ name: 'Find or create contact' })).toBe('write');
    expect(actionKind({ key: 'get-and-update-lead', name: 'x' })).toBe('write');
  });

  it('matches whole words only', () => {
    expect(actionKind({ name: 'List deleted leads' })).toBe('read'); // "deleted" is not "delete"
    expect(actionKind({ name: 'Getter' })).toBe('unknown');
  });
});

describe('actionKind with nouns that look like verbs', () => {
  it('reads the leading verb for ambiguous words and unambiguous verbs anywhere', () => {
    expect(actionKind({ key: 'get-call-log', name: 'Get call log' })).toBe('read');
    expect(actionKind({ key: 'get-merge-fields', name: 'Get merge fields' })).toBe('read');
    expect(actionKind({ key: 'log-call', name: 'Log a call' })).toBe('write');
    expect(actionKind({ key: 'merge-contacts', name: 'Merge contacts' })).toBe('destructive');
    expect(actionKind({ key: 'list-blog-posts', name: 'List blog posts' })).toBe('read');
  });
});
