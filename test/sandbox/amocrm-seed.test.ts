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

  test('counts meet the brief', () => {
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

  test('names are an international mix; companies carry phone, email, web and address', () => {
    const store = seededStore();
    const names = all(store, '/api/v4/contacts', 'contacts').map((c) => c.name as string);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['Hans Müller', 'Haruto Tanaka', 'Ayşe Yılmaz', 'Priya Sharma']));
    for (const company of all(store, '/api/v4/companies', 'companies')) {
      const codes = (company.custom_fields_values as J[]).map((f) => f.field_code);
      expect(codes).toEqual(['PHONE', 'EMAIL', 'WEB', 'ADDRESS']);
    }
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
