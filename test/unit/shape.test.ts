// Shaping raw CRM responses for proxy_request: compact drops HAL `_links` noise and lifts
// `_embedded.<entity>` to items (paging kept as nextPage); 1CRM {records, total_results} → {items, total};
// raw returns the body exactly as sent. Examples follow AmoCRM's own documentation.
import { describe, expect, it } from 'vitest';
import { shapeBody, shapeHeaders, shapeOutput } from '../../src/results/shape.js';

const BASE = 'https://example.amocrm.ru/api/v4';

/** GET /api/v4/leads?limit=2&page=2, per the official docs example. */
function leadsPage() {
  return {
    _page: 2,
    _links: {
      self: { href: `${BASE}/leads?limit=2&page=2` },
      next: { href: `${BASE}/leads?limit=2&page=3` },
      first: { href: `${BASE}/leads?limit=2&page=1` },
      prev: { href: `${BASE}/leads?limit=2&page=1` },
    },
    _embedded: {
      leads: [
        {
          id: 19619,
          name: 'Сделка для примера',
          price: 46333,
          responsible_user_id: 123321,
          status_id: 142,
          pipeline_id: 1300,
          custom_fields_values: null,
          _links: { self: { href: `${BASE}/leads/19619` } },
          _embedded: {
            tags: [],
            companies: [{ id: 10971463, _links: { self: { href: `${BASE}/companies/10971463` } } }],
          },
        },
        {
          id: 14460,
          name: 'Сделка для примера 2',
          price: 655,
          responsible_user_id: 123321,
          status_id: 142,
          pipeline_id: 1300,
          custom_fields_values: [{ field_id: 5, field_name: 'Source', values: [{ value: 'web' }] }],
          _links: { self: { href: `${BASE}/leads/14460` } },
          _embedded: { tags: [{ id: 1, name: 'vip', color: null }], companies: [] },
        },
      ],
    },
  };
}

function keysEverywhere(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysEverywhere(x, out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysEverywhere(x, out);
    }
  return out;
}

describe('shapeBody: AmoCRM HAL, compact', () => {
  it('a list becomes {items, entity, page, nextPage:{path, query}}, with every _links removed and _embedded of items kept', () => {
    const shaped = shapeBody(leadsPage(), 'compact');
    expect(shaped).toEqual({
      items: [
        {
          id: 19619,
          name: 'Сделка для примера',
          price: 46333,
          responsible_user_id: 123321,
          status_id: 142,
          pipeline_id: 1300,
          custom_fields_values: null,
          _embedded: { tags: [], companies: [{ id: 10971463 }] },
        },
        {
          id: 14460,
          name: 'Сделка для примера 2',
          price: 655,
          responsible_user_id: 123321,
          status_id: 142,
          pipeline_id: 1300,
          custom_fields_values: [{ field_id: 5, field_name: 'Source', values: [{ value: 'web' }] }],
          _embedded: { tags: [{ id: 1, name: 'vip', color: null }], companies: [] },
        },
      ],
      entity: 'leads',
      page: 2,
      nextPage: { path: '/api/v4/leads', query: { limit: '2', page: '3' } },
    });
    expect(keysEverywhere(shaped).has('_links')).toBe(false);
    expect(JSON.stringify(shaped).length).toBeLessThan(JSON.stringify(leadsPage()).length);
  });

  it('does not change the input', () => {
    const body = leadsPage();
    shapeBody(body, 'compact');
    expect(body).toEqual(leadsPage());
  });

  it('the last page has no nextPage', () => {
    const body = leadsPage();
    delete (body._links as Partial<typeof body._links>).next;
    const shaped = shapeBody(body, 'compact') as Record<string, unknown>;
    expect(shaped.nextPage).toBeUndefined();
    expect(shaped.page).toBe(2);
  });

  it('nextPage keeps repeated query keys (filters) as arrays', () => {
    const body = leadsPage();
    body._links.next.href = `${BASE}/leads?filter%5Bid%5D%5B%5D=1&filter%5Bid%5D%5B%5D=2&with=contacts&page=3`;
    const shaped = shapeBody(body, 'compact') as { nextPage: unknown };
    expect(shaped.nextPage).toEqual({ path: '/api/v4/leads', query: { 'filter[id][]': ['1', '2'], with: 'contacts', page: '3' } });
  });

  it('a single entity only loses its _links (at every level)', () => {
    const lead = leadsPage()._embedded.leads[0];
    const shaped = shapeBody(lead, 'compact');
    const { _links: _l, ...rest } = lead;
    expect(shaped).toEqual({ ...rest, _embedded: { tags: [], companies: [{ id: 10971463 }] } });
  });

  it('a single entity with one embedded collection is not mistaken for a list', () => {
    const contact = { id: 5, name: 'Иван', _links: { self: { href: `${BASE}/contacts/5` } }, _embedded: { tags: [{ id: 1, name: 'a' }] } };
    expect(shapeBody(contact, 'compact')).toEqual({ id: 5, name: 'Иван', _embedded: { tags: [{ id: 1, name: 'a' }] } });
  });

  it('the pipelines list with _total_items gets total', () => {
    const pipelines = {
      _total_items: 1,
      _links: { self: { href: `${BASE}/leads/pipelines` } },
      _embedded: {
        pipelines: [
          {
            id: 3177727,
            name: 'Воронка',
            sort: 1,
            is_main: true,
            _links: { self: { href: `${BASE}/leads/pipelines/3177727` } },
            _embedded: {
              statuses: [
                { id: 32392156, name: 'Неразобранное', _links: { self: { href: `${BASE}/leads/pipelines/3177727/statuses/32392156` } } },
              ],
            },
          },
        ],
      },
    };
    expect(shapeBody(pipelines, 'compact')).toEqual({
      items: [{ id: 3177727, name: 'Воронка', sort: 1, is_main: true, _embedded: { statuses: [{ id: 32392156, name: 'Неразобранное' }] } }],
      entity: 'pipelines',
      total: 1,
    });
  });

  it('a create response (only HAL keys) becomes items', () => {
    const created = {
      _links: { self: { href: `${BASE}/leads` } },
      _embedded: { leads: [{ id: 10185151, request_id: '0', _links: { self: { href: `${BASE}/leads/10185151` } } }] },
    };
    expect(shapeBody(created, 'compact')).toEqual({ items: [{ id: 10185151, request_id: '0' }], entity: 'leads' });
  });

  it('keeps non-HAL fields of a list envelope', () => {
    const body = { ...leadsPage(), account_id: 42 };
    const shaped = shapeBody(body, 'compact') as Record<string, unknown>;
    expect(shaped.account_id).toBe(42);
    expect(shaped.entity).toBe('leads');
  });
});

describe('shapeBody: 1CRM', () => {
  it('{records, total_results} becomes {items, total}', () => {
    const records = [
      { id: 'a1', name: 'Acme', balance: '100.00' },
      { id: 'a2', name: 'Ромашка', balance: '0' },
    ];
    expect(shapeBody({ records, total_results: 42 }, 'compact')).toEqual({ items: records, total: 42 });
  });

  it('a string total is read as a number; other fields are kept', () => {
    expect(shapeBody({ records: [], total_results: '17', offset: 20 }, 'compact')).toEqual({ items: [], total: 17, offset: 20 });
    expect(shapeBody({ records: [], total_results: 'many' }, 'compact')).toEqual({ items: [] });
  });

  it('{record} is unchanged', () => {
    const one = { record: { id: 'a1', name: 'Acme' } };
    expect(shapeBody(one, 'compact')).toBe(one);
  });

  it('{records} without total_results is unchanged', () => {
    const body = { records: [{ id: 1 }] };
    expect(shapeBody(body, 'compact')).toBe(body);
  });
});

describe('shapeBody: raw and non-objects', () => {
  it('raw returns the exact same object', () => {
    const hal = leadsPage();
    expect(shapeBody(hal, 'raw')).toBe(hal);
    const onecrm = { records: [], total_results: 0 };
    expect(shapeBody(onecrm, 'raw')).toBe(onecrm);
  });

  it.each([['text body'], [''], [null], [undefined], [42], [[{ _links: {}, id: 1 }]]])('non-object body %j is unchanged', (body) => {
    expect(shapeBody(body, 'compact')).toBe(body);
  });

  it('a plain object without HAL or 1CRM markers is unchanged', () => {
    const body = { id: 1, name: 'x' };
    expect(shapeBody(body, 'compact')).toBe(body);
  });
});

describe('shapeHeaders', () => {
  const headers = {
    'Content-Type': 'application/hal+json',
    'Retry-After': '2',
    Location: '/api/v4/leads/1',
    'X-Ratelimit-Remaining': '5',
    Server: 'nginx',
    Date: 'Mon, 01 Jan 2024 00:00:00 GMT',
    'Set-Cookie': 'session=secret',
    Authorization: 'Bearer secret',
    Cookie: 'a=b',
    'Proxy-Authorization': 'Basic x',
    'WWW-Authenticate': 'Bearer',
  };

  it('compact keeps content-type, retry-after, location (and rate-limit counters), lower-cased', () => {
    expect(shapeHeaders(headers, 'compact')).toEqual({
      'content-type': 'application/hal+json',
      'retry-after': '2',
      location: '/api/v4/leads/1',
      'x-ratelimit-remaining': '5',
    });
  });

  it('raw keeps the others but never credentials', () => {
    expect(shapeHeaders(headers, 'raw')).toEqual({
      'content-type': 'application/hal+json',
      'retry-after': '2',
      location: '/api/v4/leads/1',
      'x-ratelimit-remaining': '5',
      server: 'nginx',
      date: 'Mon, 01 Jan 2024 00:00:00 GMT',
    });
  });

  it('both drop set-cookie, authorization and cookie in any case', () => {
    for (const shape of ['compact', 'raw'] as const) {
      const out = shapeHeaders({ 'SET-COOKIE': 'x', authorization: 'y', COOKIE: 'z', 'content-type': 'text/plain' }, shape);
      expect(out).toEqual({ 'content-type': 'text/plain' });
    }
  });
});

describe('shapeOutput: action outputs', () => {
  const created = {
    id: 'a1',
    record: {
      id: 'a1',
      name: 'Acme',
      website: null,
      email1: '',
      tags: [],
      address: { city: null },
      is_supplier: '0',
      balance: 0,
      ok: false,
    },
  };

  it('compact drops null and empty fields at every level, keeping ids, names, zeros and false', () => {
    expect(shapeOutput(created, 'compact')).toEqual({
      id: 'a1',
      record: { id: 'a1', name: 'Acme', is_supplier: '0', balance: 0, ok: false },
    });
  });

  it('keeps a field the input set, even when the call emptied it (that is what it changed)', () => {
    expect(shapeOutput(created, 'compact', { id: 'a1', website: null })).toEqual({
      id: 'a1',
      record: { id: 'a1', name: 'Acme', website: null, is_supplier: '0', balance: 0, ok: false },
    });
  });

  it('array items keep their places; HAL _links go', () => {
    expect(shapeOutput({ records: [{ a: null, b: 1 }, null, { _links: { self: 'x' }, c: 2 }] }, 'compact')).toEqual({
      records: [{ b: 1 }, null, { c: 2 }],
    });
  });

  it('raw returns the output exactly as given', () => {
    expect(shapeOutput(created, 'raw')).toBe(created);
  });
});
