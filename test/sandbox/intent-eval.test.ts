// Accuracy of the sandbox intent search over a labelled set (intent-eval.json): each intent with the
// actions that fit it per connector, or "none". Runs the ranker `action list --intent` uses, in process,
// over the real catalogs, prints the figures and holds them to the targets.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { rankActions, STRONG_MATCH } from '../../src/sandbox/intent.js';
import { amocrm } from '../../src/sandbox/amocrm/amocrm-emulator.js';
import { onecrm } from '../../src/sandbox/onecrm/onecrm-emulator.js';

interface EvalItem {
  intent: string;
  lang: 'en' | 'ru';
  kind: string;
  amocrm?: string[] | 'none';
  '1crm'?: string[] | 'none';
}

const set = JSON.parse(readFileSync(new URL('./intent-eval.json', import.meta.url), 'utf8')) as { items: EvalItem[] };
const CONNECTORS = [
  ['amocrm', amocrm],
  ['1crm', onecrm],
] as const;

interface Outcome {
  intent: string;
  connector: string;
  expected: string[] | 'none';
  top: { key: string; score: number }[];
  strong: boolean;
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

describe('intent search accuracy (labelled set)', () => {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  for (const item of set.items) {
    for (const [connector, emulator] of CONNECTORS) {
      const expected = item[connector];
      if (expected === undefined) continue;
      const ranked = rankActions(item.intent, emulator.actions, emulator.entities);
      outcomes.push({
        intent: item.intent,
        connector,
        expected,
        top: ranked.slice(0, 3).map((r) => ({ key: r.action.key, score: r.score })),
        strong: ranked.some((r) => r.score >= STRONG_MATCH),
      });
    }
  }
  const msPerSearch = (performance.now() - started) / outcomes.length;

  const matchable = outcomes.filter((o): o is Outcome & { expected: string[] } => o.expected !== 'none');
  const noMatch = outcomes.filter((o) => o.expected === 'none');
  const top1 = matchable.filter((o) => o.top.length > 0 && o.expected.includes(o.top[0].key));
  const top3 = matchable.filter((o) => o.top.some((t) => o.expected.includes(t.key)));
  const strongRight = matchable.filter((o) => o.top.some((t) => t.score >= STRONG_MATCH && o.expected.includes(t.key)));
  const flaggedNone = outcomes.filter((o) => !o.strong);
  const flaggedRight = noMatch.filter((o) => !o.strong);
  const line = (o: Outcome) =>
    `  [${o.connector}] "${o.intent}" expected ${o.expected === 'none' ? 'none' : o.expected.join('|')}, got ${
      o.top.map((t) => `${t.key} ${t.score}`).join(', ') || 'nothing'
    }`;

  console.log(
    [
      `Intent search over ${set.items.length} intents (${outcomes.length} intent × connector pairs; ${matchable.length} with a fitting action, ${noMatch.length} without):`,
      `  top-1 ${pct(top1.length, matchable.length)} (${top1.length}/${matchable.length}), top-3 ${pct(top3.length, matchable.length)} (${top3.length}/${matchable.length}), fitting action flagged strong ${pct(strongRight.length, matchable.length)}`,
      `  no-match recall ${pct(flaggedRight.length, noMatch.length)} (${flaggedRight.length}/${noMatch.length} flagged), precision ${pct(flaggedRight.length, flaggedNone.length)} (${flaggedRight.length}/${flaggedNone.length} of the searches with no strong match)`,
      `  ${msPerSearch.toFixed(2)} ms per search (in process; each catalog is indexed on its first search, then reused)`,
      ...(matchable.length > top1.length ? ['Not first:', ...matchable.filter((o) => !top1.includes(o)).map(line)] : []),
      ...(flaggedNone.length > flaggedRight.length
        ? ['Fitting action, but no strong match:', ...flaggedNone.filter((o) => o.expected !== 'none').map(line)]
        : []),
      ...(noMatch.length > flaggedRight.length
        ? ['No-match intents with a strong match:', ...noMatch.filter((o) => o.strong).map(line)]
        : []),
    ].join('\n'),
  );

  it('the set is big and varied enough to mean something', () => {
    expect(set.items.length).toBeGreaterThanOrEqual(150);
    expect(set.items.filter((i) => i.lang === 'ru').length).toBeGreaterThanOrEqual(30);
    expect(set.items.filter((i) => i.kind === 'typo').length).toBeGreaterThanOrEqual(15);
    expect(set.items.filter((i) => i.amocrm === 'none' || i['1crm'] === 'none').length).toBeGreaterThanOrEqual(20);
  });

  it('top-1 ≥ 90 %, top-3 ≥ 98 %', () => {
    expect(top1.length / matchable.length).toBeGreaterThanOrEqual(0.9);
    expect(top3.length / matchable.length).toBeGreaterThanOrEqual(0.98);
  });

  it('every intent without a fitting action has no strong match', () => {
    expect(noMatch.filter((o) => o.strong).map(line)).toEqual([]);
  });
});
