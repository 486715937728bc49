// The connector catalog: what the agent is told about each CRM in tool descriptions.
// Built-in entries carry their entities and raw-API hints; any other Membrane connector key gets a generic entry.

export interface Connector {
  /** Membrane connector key, e.g. `amocrm`, `1crm`, `hubspot`. */
  key: string;
  displayName: string;
  /** Tool-name prefix; must start with a letter (so `1crm` becomes `onecrm`). */
  prefix: string;
  /** Entity names from the connector's overview, for descriptions. Empty for generic connectors. */
  entities: string[];
  /** One line on the raw API for proxy_request: base path shape and quirks. */
  apiHint: string;
  builtIn: boolean;
}

const BUILT_IN: Record<string, Connector> = {
  amocrm: {
    key: 'amocrm',
    displayName: 'AmoCRM',
    prefix: 'amocrm',
    entities: ['Lead (deal)', 'Note', 'Contact', 'Company', 'Task'],
    apiHint:
      'Paths: /api/v4/{leads|contacts|companies|tasks|users}, /api/v4/leads/pipelines, /api/v4/{entity}/{id}/notes; POST/PATCH take arrays; no DELETE; empty list = 204.',
    builtIn: true,
  },
  '1crm': {
    key: '1crm',
    displayName: '1CRM',
    prefix: 'onecrm',
    // Data models only: the overview's UI features and settings (Dashboard, Mass Update, Layout, Import…)
    // have no records to act on.
    entities: [
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
    ],
    apiHint:
      'Paths: /data/{Model} (Account, Contact, Lead, Opportunity, aCase, Task…) with offset, limit, filters[…]; /data/{Model}/{id}; body {"data":{…}}.',
    builtIn: true,
  },
};

/** Turns a connector key into a tool prefix that every client accepts: letters, digits, underscore, leading letter. */
export function toolPrefix(key: string): string {
  const spelled = key
    .replace(/^1/, 'one')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  const prefix = /^[a-z]/.test(spelled) ? spelled : `c_${spelled}`;
  return prefix.slice(0, 20);
}

export function connectorFor(key: string): Connector {
  const builtIn = BUILT_IN[key];
  if (builtIn) return builtIn;
  const displayName = key.charAt(0).toUpperCase() + key.slice(1);
  return {
    key,
    displayName,
    prefix: toolPrefix(key),
    entities: [],
    apiHint: `${displayName} API paths relative to the connector's base URL, as in the ${displayName} API docs.`,
    builtIn: false,
  };
}

/** Resolves the configured keys, rejecting two keys that would produce the same tool names. */
export function resolveConnectors(keys: readonly string[]): Connector[] {
  const seen = new Map<string, string>();
  const out: Connector[] = [];
  for (const key of [...new Set(keys)]) {
    const c = connectorFor(key);
    const clash = seen.get(c.prefix);
    if (clash) throw new Error(`Connectors "${clash}" and "${key}" would both use the tool prefix "${c.prefix}"`);
    seen.set(c.prefix, key);
    out.push(c);
  }
  return out;
}

/** Entities as a sentence fragment for descriptions (all of them: the agent needs to know what exists). */
export function entityList(c: Connector): string {
  return c.entities.length ? c.entities.join(', ') : `${c.displayName} records`;
}
