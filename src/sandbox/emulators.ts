// The connector catalog the sandbox knows (for `search` and `connect`) and the registry of the two
// emulated CRMs. Emulations are loaded on demand: commands such as `connection list` or `status`
// never need them, and not loading them keeps those invocations fast.
import type { ConnectorKey, Emulator } from './emulator-types.js';
import { hexId, uuidFrom } from './hex-ids.js';

export interface CatalogEntry {
  key: string;
  name: string;
  categories: string[];
  /** True for the connectors the sandbox emulates (their connections can become READY). */
  emulated: boolean;
}

const ENTRIES: CatalogEntry[] = [
  { key: 'amocrm', name: 'AmoCRM', categories: ['CRM', 'Sales'], emulated: true },
  { key: '1crm', name: '1CRM', categories: ['CRM', 'ERP'], emulated: true },
  { key: 'hubspot', name: 'HubSpot', categories: ['CRM', 'Marketing'], emulated: false },
  { key: 'kommo', name: 'Kommo', categories: ['CRM', 'Sales'], emulated: false },
  { key: 'pipedrive', name: 'Pipedrive', categories: ['CRM', 'Sales'], emulated: false },
  { key: 'salesforce', name: 'Salesforce', categories: ['CRM'], emulated: false },
  { key: 'zoho-crm', name: 'Zoho CRM', categories: ['CRM'], emulated: false },
  { key: 'sugarcrm', name: 'SugarCRM', categories: ['CRM'], emulated: false },
  { key: 'espocrm', name: 'EspoCRM', categories: ['CRM'], emulated: false },
  { key: 'capsule-crm', name: 'Capsule CRM', categories: ['CRM'], emulated: false },
];

export const EMULATED_KEYS: readonly ConnectorKey[] = ['amocrm', '1crm'];

export function isEmulatedKey(key: string): key is ConnectorKey {
  return (EMULATED_KEYS as readonly string[]).includes(key);
}

/** The connector element as `search` prints it. */
export interface ConnectorElement {
  id: string;
  key: string;
  uuid: string;
  name: string;
  logoUri: string;
  categories: string[];
}

export const SANDBOX_UI = 'https://sandbox.membrane.local';

export function connectorId(key: string): string {
  return hexId('connector', key);
}

export function integrationId(key: string): string {
  return hexId('integration', key);
}

export function logoUri(key: string): string {
  return `${SANDBOX_UI}/logos/${key}.png`;
}

export function catalog(): readonly CatalogEntry[] {
  return ENTRIES;
}

export function connectorElement(entry: CatalogEntry): ConnectorElement {
  return {
    id: connectorId(entry.key),
    key: entry.key,
    uuid: uuidFrom('connector', entry.key),
    name: entry.name,
    logoUri: logoUri(entry.key),
    categories: entry.categories,
  };
}

export function findCatalogEntry(keyOrId: { key?: string; id?: string }): CatalogEntry | undefined {
  if (keyOrId.key !== undefined) {
    const key = keyOrId.key.toLowerCase();
    return ENTRIES.find((e) => e.key === key);
  }
  // Integration ids name the same thing here: one integration per connector.
  if (keyOrId.id !== undefined) {
    return ENTRIES.find((e) => connectorId(e.key) === keyOrId.id || integrationId(e.key) === keyOrId.id);
  }
  return undefined;
}

export function catalogEntry(key: string): CatalogEntry {
  const entry = ENTRIES.find((e) => e.key === key);
  if (!entry) throw new Error(`Unknown connector '${key}'`);
  return entry;
}

/** Emulations loaded so far, by connector key. Commands load only the connectors they touch. */
export type EmulatorRegistry = Partial<Record<ConnectorKey, Emulator>>;

const LOADERS: Record<ConnectorKey, () => Promise<Emulator>> = {
  amocrm: () => import('./amocrm/amocrm-emulator.js').then((m) => m.amocrm),
  '1crm': () => import('./onecrm/onecrm-emulator.js').then((m) => m.onecrm),
};

const loaded = new Map<ConnectorKey, Promise<Emulator>>();

/** One emulation, imported on first use (each costs startup time: modules, schemas). */
export function loadEmulator(key: ConnectorKey): Promise<Emulator> {
  let p = loaded.get(key);
  if (!p) {
    p = LOADERS[key]();
    loaded.set(key, p);
  }
  return p;
}

/** `{ amocrm, '1crm': onecrm }`, or the subset named by `keys` (non-emulated keys are skipped). */
export async function loadEmulators(keys: readonly string[] = EMULATED_KEYS): Promise<EmulatorRegistry> {
  const wanted = keys.filter(isEmulatedKey);
  const emulators = await Promise.all(wanted.map(loadEmulator));
  return Object.fromEntries(wanted.map((k, i) => [k, emulators[i]])) as EmulatorRegistry;
}

/** The registry entry for `key`, which the caller must have loaded. */
export function emulatorIn(registry: EmulatorRegistry, key: ConnectorKey): Emulator {
  const e = registry[key];
  if (!e) throw new Error(`Emulation '${key}' was not loaded`);
  return e;
}
