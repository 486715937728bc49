// The connector catalog: tool prefixes every client accepts, the built-in entity lists, and clash detection.
import { describe, expect, it } from 'vitest';
import { connectorFor, entityList, resolveConnectors, toolPrefix } from '../../src/connectors.js';

const PREFIX = /^[a-zA-Z][a-zA-Z0-9_]{0,19}$/;
const TOOL_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
const SUFFIXES = ['list_connections', 'search_actions', 'create_action', 'run_action', 'proxy_request'];

describe('toolPrefix', () => {
  it.each([
    ['1crm', 'onecrm'],
    ['amocrm', 'amocrm'],
    ['hubspot', 'hubspot'],
    ['google-sheets', 'google_sheets'],
    ['zoho_crm', 'zoho_crm'],
    ['microsoft-dynamics-365', 'microsoft_dynamics_3'],
    ['HubSpot', 'hubspot'],
    ['2gis', 'c_2gis'],
    ['365-crm', 'c_365_crm'],
    ['1', 'one'],
  ])('%s → %s', (key, prefix) => {
    expect(toolPrefix(key)).toBe(prefix);
  });

  const keys = [
    '1crm',
    'amocrm',
    'hubspot',
    'google-sheets',
    '2gis',
    '9',
    '0-day',
    'a',
    'x'.repeat(40),
    'very-long-connector-key-with-many-parts',
    'trailing-',
    'sales.force',
    'a--b__c',
    '1-1-1-1-1-1-1-1-1-1-1-1-1',
    '_underscore',
    'ümlaut-crm',
  ];

  it.each(keys)('prefix of %j matches ^[a-zA-Z][a-zA-Z0-9_]{0,19}$ and every tool name fits 48 characters', (key) => {
    const prefix = toolPrefix(key);
    expect(prefix).toMatch(PREFIX);
    for (const suffix of SUFFIXES) expect(`${prefix}_${suffix}`).toMatch(TOOL_NAME);
  });

  it('caps long keys at 20 characters', () => {
    expect(toolPrefix('x'.repeat(40))).toHaveLength(20);
    expect(toolPrefix('very-long-connector-key-with-many-parts').length).toBeLessThanOrEqual(20);
  });
});

describe('built-in catalog', () => {
  it('AmoCRM: prefix amocrm, the five entities of the seed', () => {
    const c = connectorFor('amocrm');
    expect(c).toMatchObject({ key: 'amocrm', displayName: 'AmoCRM', prefix: 'amocrm', builtIn: true });
    expect(c.entities).toHaveLength(5);
    expect(c.entities.map((e) => e.split(' ')[0])).toEqual(['Lead', 'Note', 'Contact', 'Company', 'Task']);
    expect(c.apiHint).toContain('/api/v4/');
  });

  it('1CRM: prefix onecrm, the data models of the 1CRM overview, without its UI features and settings', () => {
    const c = connectorFor('1crm');
    expect(c).toMatchObject({ key: '1crm', displayName: '1CRM', prefix: 'onecrm', builtIn: true });
    // The overview in membranedev/application-skills skills/1crm/SKILL.md lists 45 entries; Dashboard, Import,
    // Mass Update, Layout, templates and settings have no records to act on.
    expect(c.entities).toEqual([
      'Account',
      'Contact',
      'Lead',
      'Opportunity',
      'Case',
      'Task',
      'Meeting',
      'Call',
      'Email',
      'Campaign',
      'Target List',
      'Product',
      'Quote',
      'Invoice',
      'Purchase Order',
      'Supplier',
      'Document',
      'Project',
      'Project Task',
      'Time Entry',
      'Expense',
      'Event',
      'Note',
      'User',
    ]);
    for (const ui of [
      'Dashboard',
      'Global Search',
      'Import',
      'Export',
      'Mass Update',
      'Layout',
      'Picklist',
      'System Settings',
      'User Settings',
    ])
      expect(c.entities).not.toContain(ui);
    expect(new Set(c.entities).size).toBe(c.entities.length);
    expect(c.apiHint).toContain('/data/');
  });

  it('entityList names every entity', () => {
    const text = entityList(connectorFor('1crm'));
    for (const e of connectorFor('1crm').entities) expect(text).toContain(e);
  });

  it('any other key gets a generic entry with a valid prefix', () => {
    const c = connectorFor('google-sheets');
    expect(c).toMatchObject({ key: 'google-sheets', prefix: 'google_sheets', entities: [], builtIn: false, displayName: 'Google-sheets' });
    expect(entityList(c)).toBe('Google-sheets records');
    expect(c.apiHint).toContain('Google-sheets');
  });
});

describe('resolveConnectors', () => {
  it('keeps order and drops duplicate keys', () => {
    expect(resolveConnectors(['amocrm', '1crm', 'amocrm', 'hubspot']).map((c) => c.prefix)).toEqual(['amocrm', 'onecrm', 'hubspot']);
  });

  it.each([
    ['google-sheets', 'google_sheets'],
    ['1crm', 'onecrm'],
    ['x'.repeat(25), 'x'.repeat(30)],
    ['sales.force', 'sales-force'],
  ])('rejects %j and %j, which share a tool prefix', (a, b) => {
    expect(() => resolveConnectors([a, b])).toThrow(/tool prefix/);
  });

  it('the error names both keys and the prefix', () => {
    expect(() => resolveConnectors(['google-sheets', 'google_sheets'])).toThrow(/"google-sheets" and "google_sheets".*"google_sheets"/);
  });

  it('every tool name of the default connectors is valid', () => {
    for (const c of resolveConnectors(['amocrm', '1crm'])) {
      for (const suffix of SUFFIXES) expect(`${c.prefix}_${suffix}`).toMatch(TOOL_NAME);
    }
  });
});
