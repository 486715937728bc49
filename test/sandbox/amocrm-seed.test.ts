// The AmoCRM seed: deterministic, realistic enough to demo with, and id sequences that runtime
// creates continue.
import { describe, expect, test } from 'vitest';
import { amocrm } from '../../src/sandbox/amocrm/amocrm-emulator.js';
import type { RecordStore } from '../../src/sandbox/store.js';
import { contextFor, embedded, request, SEED_NOW, seededStore, type J } from './amocrm-fixtures.js';

const SEED_SEC = Math.floor(SEED_NOW / 1000);

function dump(store: RecordStore): unknown {
  return {
    records: store.db.prepare("SELECT model, id, seq, data FROM records WHERE connector_key = 'amocrm' ORDER BY model, seq").all(),
    counters: store.db.prepare("SELECT name, value FROM counters WHERE name LIKE 'amocrm:%' ORDER BY name").all(),
  };
}

function all(store: RecordStore, path: string, key: string): J[] {
  return embedded(request(contextFor(store), 'GET', path, { query: { limit: 250 } }), key);
}

describe('seed', () => {
  test('two fresh stores seeded with the same context are identical', () => {
    const a = dump(seededStore(77));
    const b = dump(seededStore(77));
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    // The PRNG really drives the data: another seed gives other phones, prices and dates.
    expect(JSON.stringify(dump(seededStore(78)))).not.toBe(JSON.stringify(a));
  });

  test('counts: enough records of each kind for paging and filters, a fixed number of companies, pipelines and users', () => {
    const counts = amocrm.counts(seededStore());
    expect(counts.leads).toBeGreaterThanOrEqual(40);
    expect(counts.contacts).toBeGreaterThanOrEqual(40);
    expect(counts.companies).toBe(15);
    expect(counts.tasks).toBeGreaterThanOrEqual(20);
    expect(counts.notes).toBeGreaterThanOrEqual(20);
    expect(counts.pipelines).toBe(2);
    expect(counts.users).toBe(3);
    expect(Object.keys(counts).sort()).toEqual(['companies', 'contacts', 'leads', 'notes', 'pipelines', 'tasks', 'users']);
  });

  test('leads are spread over pipelines, stages (won and lost included), owners, tags and links', () => {
    const store = seededStore();
    const leads = all(store, '/api/v4/leads', 'leads');
    expect(new Set(leads.map((l) => l.pipeline_id)).size).toBe(2);
    expect(leads.some((l) => l.status_id === 142)).toBe(true);
    expect(leads.some((l) => l.status_id === 143)).toBe(true);
    expect(new Set(leads.map((l) => l.status_id)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(leads.map((l) => l.responsible_user_id)).size).toBe(3);
    expect(leads.some((l) => l._embedded.tags.length > 0)).toBe(true);
    expect(leads.some((l) => l._embedded.companies.length > 0)).toBe(true);
    expect(leads.every((l) => typeof l.price === 'number' && l.price > 0)).toBe(true);
    for (const lead of leads) {
      const closed = lead.status_id === 142 || lead.status_id === 143;
      expect(lead.closed_at !== null, `lead ${lead.id}`).toBe(closed);
      expect(lead.created_at).toBeLessThanOrEqual(lead.updated_at);
      expect(lead.updated_at).toBeLessThanOrEqual(SEED_SEC);
    }
  });

  test('tasks and notes are linked to existing records, with completed tasks and call notes', () => {
    const store = seededStore();
    const ids: Record<string, Set<number>> = {
      leads: new Set(all(store, '/api/v4/leads', 'leads').map((l) => l.id)),
      contacts: new Set(all(store, '/api/v4/contacts', 'contacts').map((c) => c.id)),
      companies: new Set(all(store, '/api/v4/companies', 'companies').map((c) => c.id)),
    };
    const tasks = all(store, '/api/v4/tasks', 'tasks');
    expect(tasks.every((t) => ids[t.entity_type].has(t.entity_id))).toBe(true);
    expect(new Set(tasks.map((t) => t.task_type_id))).toEqual(new Set([1, 2]));
    const done = tasks.filter((t) => t.is_completed);
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((t) => typeof t.result.text === 'string')).toBe(true);
    expect(tasks.some((t) => !t.is_completed && t.complete_till > SEED_SEC)).toBe(true);

    const noteTypes = new Set<string>();
    let notes = 0;
    for (const entityType of ['leads', 'contacts', 'companies']) {
      for (const note of all(store, `/api/v4/${entityType}/notes`, 'notes')) {
        expect(ids[entityType].has(note.entity_id)).toBe(true);
        noteTypes.add(note.note_type);
        notes++;
      }
    }
    expect(notes).toBe(amocrm.counts(store).notes);
    expect([...noteTypes]).toEqual(expect.arrayContaining(['common', 'call_in', 'call_out']));
  });

  test('names are mostly Russian with an international mix; companies carry phone, email, web and address', () => {
    const store = seededStore();
    const contacts = all(store, '/api/v4/contacts', 'contacts');
    const names = contacts.map((c) => c.name as string);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['Дмитрий Волков', 'Ержан Сейткали', 'Hans Müller', 'Chloé Dubois']));
    const cyrillic = (text: string) => /\p{Script=Cyrillic}/u.test(text);
    expect(names.filter(cyrillic).length / names.length).toBeGreaterThanOrEqual(0.5);
    const companies = all(store, '/api/v4/companies', 'companies').map((c) => c.name as string);
    expect(companies.filter(cyrillic).length / companies.length).toBeGreaterThanOrEqual(0.5);
    expect(companies).toEqual(expect.arrayContaining(['ООО «Волга Трейд»', 'Nordwind Logistik GmbH']));
    // Russian lead titles for Russian clients; e-mail addresses stay in Latin letters.
    const leads = all(store, '/api/v4/leads', 'leads').map((l) => l.name as string);
    expect(leads.filter(cyrillic).length).toBeGreaterThan(leads.length / 3);
    expect(leads.some((l) => l.startsWith('ООО «Волга Трейд»: ') && cyrillic(l.slice('ООО «Волга Трейд»: '.length)))).toBe(true);
    const volkov = contacts.find((c) => c.name === 'Дмитрий Волков') as J;
    const email = (volkov.custom_fields_values as J[]).find((f) => f.field_code === 'EMAIL') as J;
    expect(email.values[0].value).toBe('dmitry.volkov@volgatrade.ru');
    for (const company of all(store, '/api/v4/companies', 'companies')) {
      const codes = (company.custom_fields_values as J[]).map((f) => f.field_code);
      expect(codes).toEqual(['PHONE', 'EMAIL', 'WEB', 'ADDRESS']);
    }
  });

  test('a Russian account: Russian pipeline and stages; Russian-speaking users write tasks and notes in Russian', () => {
    const store = seededStore();
    const ctx = contextFor(store);
    const cyrillic = (text: string) => /\p{Script=Cyrillic}/u.test(text);
    const pipelines = embedded(request(ctx, 'GET', '/api/v4/leads/pipelines'), 'pipelines');
    const main = pipelines.find((p) => p.is_main) as J;
    expect(main.name).toBe('Продажи');
    expect((main._embedded.statuses as J[]).map((st) => st.name)).toEqual(expect.arrayContaining(['Неразобранное', 'Переговоры']));
    const users = new Map(all(store, '/api/v4/users', 'users').map((u) => [u.id as number, u.lang as string]));
    const tasks = all(store, '/api/v4/tasks', 'tasks');
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) expect(cyrillic(task.text as string)).toBe(users.get(task.responsible_user_id as number) === 'ru');
    const notes = (['leads', 'contacts', 'companies'] as const).flatMap((t) => all(store, `/api/v4/${t}/notes`, 'notes'));
    const common = notes.filter((n) => n.note_type === 'common');
    expect(common.some((n) => cyrillic((n.params as J).text as string))).toBe(true);
    for (const note of common) expect(cyrillic((note.params as J).text as string)).toBe(users.get(note.created_by as number) === 'ru');
  });

  test('runtime creates continue the id sequences after the seed', () => {
    const store = seededStore();
    const ctx = contextFor(store);
    const maxContact = Math.max(...all(store, '/api/v4/contacts', 'contacts').map((c) => c.id as number));
    const created = embedded(request(ctx, 'POST', '/api/v4/contacts', { body: [{ name: 'New Person' }] }), 'contacts')[0];
    expect(created.id).toBe(maxContact + 1);
    const counter = store.db.prepare("SELECT value FROM counters WHERE name = 'amocrm:contacts'").get() as { value: number };
    expect(counter.value).toBe(created.id);
  });
});
