// resources/list paging: a page holds at most 100 entries and no more than the result budget of JSON, yet
// always at least one entry, so a listing moves on even past an entry larger than the budget.
import type { Resource } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { resourcePage } from '../../src/resources/resource-handlers.js';

const entry = (i: number, descriptionChars = 10): Resource => ({
  uri: `membrane://amocrm/actions/${i}`,
  name: `action-${i}`,
  description: 'd'.repeat(descriptionChars),
  mimeType: 'application/json',
});

describe('resourcePage', () => {
  it('stops at 100 entries even when the budget would take more', () => {
    const all = Array.from({ length: 250 }, (_, i) => entry(i));
    expect(resourcePage(all, 0, 1_000_000)).toMatchObject({ next: 100 });
    expect(resourcePage(all, 200, 1_000_000)).toEqual({ page: all.slice(200) });
  });

  it('stops before the entry that would exceed the budget, and the pages cover every entry once', () => {
    const all = Array.from({ length: 30 }, (_, i) => entry(i, 300));
    const seen: Resource[] = [];
    let start: number | undefined = 0;
    while (start !== undefined) {
      const { page, next }: { page: Resource[]; next?: number } = resourcePage(all, start, 2000);
      expect(JSON.stringify({ resources: page, nextCursor: 'b2xxxxx' }).length).toBeLessThanOrEqual(2000);
      seen.push(...page);
      start = next;
    }
    expect(seen).toEqual(all);
  });

  it('always takes one entry, however large', () => {
    const all = [entry(0, 5000), entry(1)];
    expect(resourcePage(all, 0, 2000)).toEqual({ page: [all[0]], next: 1 });
  });
});
