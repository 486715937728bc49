// Intent search for `action list --intent` and the description parser behind `action create`.
// MiniSearch ranks: BM25 over each action's title, description, entity words and operation words, with
// field boosts; a word the catalog does not know may be one typing slip from one it knows (found in
// MiniSearch's tree, checked with Damerau–Levenshtein) or its start (prefix search).
// Porter (English) and Snowball (Russian) stemmers fold word endings. What is ours: the words (intent-words.ts
// and each CRM's vocabulary) and how sure a match is (`isStrong` below), which is what lets a search
// say "nothing fits" instead of padding its answer.
import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import damerauLevenshtein from 'damerau-levenshtein';
import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemRussian } from '@orama/stemmers/russian';
import type { EntityVocab, Operation } from './emulator-types.js';
import { ENTITY_SYNONYMS, OPERATION_WORDS, OUT_OF_SCOPE_WORDS, STOPWORDS } from './intent-words.js';

/** Lower case, split on anything that is not a letter or a digit (any script). */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN_WORD = /^[a-z]+$/;
const STEM_CACHE = new Map<string, string>();

/** The stem of one lower-case token: Russian Snowball for Cyrillic, Porter for Latin words, as is otherwise (numbers, ids). */
export function stem(token: string): string {
  let s = STEM_CACHE.get(token);
  if (s === undefined) {
    const word = token.replace(/ё/g, 'е');
    s = CYRILLIC.test(word) ? stemRussian(word) : LATIN_WORD.test(word) ? stemEnglish(word) : word;
    STEM_CACHE.set(token, s);
  }
  return s;
}

const STOP = new Set(STOPWORDS.map((w) => w.replace(/ё/g, 'е')));

/** Tokens that mean something (stopwords dropped, surface forms kept). */
function contentTokens(text: string): string[] {
  return tokenize(text).filter((t) => !STOP.has(t.replace(/ё/g, 'е')));
}

/** Multi-word names ("sales order") are one term, so their words alone do not name the thing. */
const PHRASE_JOINER = '_';

// Each indexed word as written → its stem. A misspelt query word is matched against the words as
// written ("compnay" is one swap from "company", three edits from its stem "compani").
const SPELLINGS = new Map<string, string>();

/**
 * Terms of an indexed text, each once: the stems of its words, and multi-word names (stemmed, joined) as
 * one term each. Once, because a field is a set of words: "создать, создай, создайте" must not weigh
 * three times "create".
 */
function indexTerms(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const phrase of words) {
    const tokens = contentTokens(phrase);
    if (tokens.length === 0) continue;
    const stems = tokens.map(stem);
    tokens.forEach((t, i) => SPELLINGS.set(t, stems[i]));
    if (tokens.length > 1 && phrase.trim().includes(' ')) out.add(stems.join(PHRASE_JOINER));
    else for (const st of stems) out.add(st);
  }
  return [...out];
}

/** One word of the intent: its term (stem, or joined multi-word name) and the word as typed. */
interface QueryWord {
  term: string;
  typed: string;
  /** Typo alternatives, once computed (the known words do not change during one search). */
  typos?: string[];
}

/** The intent's words: stems, with known multi-word names joined (longest first). */
function queryWords(intent: string, phrases: ReadonlySet<string>): QueryWord[] {
  const tokens = contentTokens(intent);
  const stems = tokens.map(stem);
  const joined = (i: number, n: number) => stems.slice(i, i + n).join(PHRASE_JOINER);
  const out: QueryWord[] = [];
  for (let i = 0; i < tokens.length;) {
    let n = Math.min(3, tokens.length - i);
    while (n > 1 && !phrases.has(joined(i, n))) n--;
    out.push({ term: joined(i, n), typed: tokens.slice(i, i + n).join(' ') });
    i += n;
  }
  return out;
}

// A typo-corrected word counts as much as MiniSearch counts a fuzzy match by default.
const TYPO_WEIGHT = 0.45;

/**
 * The terms an index holds: a word outside them may be a typo of one of the `correctable` ones (the
 * vocabulary and the action names; correcting towards words of the descriptions would mostly invent
 * matches).
 */
class KnownTerms {
  private near: SearchableMap<string> | undefined;
  constructor(
    readonly terms: ReadonlySet<string>,
    private readonly correctable: ReadonlySet<string> = terms,
  ) {}
  has(term: string): boolean {
    return this.terms.has(term);
  }
  /**
   * The terms a single typing slip away from `form` (a letter missing, extra or wrong, or two letters
   * swapped: Damerau–Levenshtein distance 1), comparing with the terms and the words they come from.
   * MiniSearch's tree finds the Levenshtein-2 neighbours, which include them.
   */
  nearTo(form: string): string[] {
    // Built on the first unknown word only: most intents have none.
    this.near ??= SearchableMap.from([
      ...[...SPELLINGS].filter(([, s]) => this.correctable.has(s)),
      ...[...this.correctable].filter((t) => !t.includes(PHRASE_JOINER)).map((t): [string, string] => [t, t]),
    ]);
    const out = new Set<string>();
    for (const [spelling, [term]] of this.near.fuzzyGet(form, 2)) if (damerauLevenshtein(form, spelling).steps <= 1) out.add(term);
    return [...out];
  }
}

/** Typo alternatives of an unknown word (known words mean what they say), from three letters on. */
function typoCandidates(word: QueryWord, known: KnownTerms): string[] {
  if (known.has(word.term) || /\d/.test(word.term) || word.term.includes(PHRASE_JOINER)) return [];
  word.typos ??= [...new Set([word.term, word.typed].filter((f) => f.length >= 3).flatMap((f) => known.nearTo(f)))].sort();
  return word.typos;
}

/** The MiniSearch query for the intent's words: exact terms, plus prefix and typo alternatives for unknown words. */
function searchQuery(words: readonly QueryWord[], known: KnownTerms, weightOf: (i: number) => number): Query {
  return {
    combineWith: 'OR',
    queries: words.map((w, i): Query => {
      const weight = weightOf(i);
      const typos = typoCandidates(w, known);
      // Prefix search completes a cut-off word ("contac"); from four letters, as shorter ones complete to too much.
      const exact: Query = { queries: [w.term], boostTerm: () => weight, prefix: !known.has(w.term) && w.term.length >= 4 };
      return typos.length === 0
        ? exact
        : { combineWith: 'OR', queries: [exact, { queries: typos, boostTerm: () => weight * TYPO_WEIGHT }] };
    }),
  };
}

/** The query terms a search result matched, mapped back to the intent's word positions. */
function positionsOf(r: SearchResult, words: readonly QueryWord[], known: KnownTerms): number[] {
  const out: number[] = [];
  words.forEach((w, i) => {
    if (r.queryTerms.includes(w.term) || typoCandidates(w, known).some((t) => r.queryTerms.includes(t))) out.push(i);
  });
  return out;
}

// The analyzer is ours (tokenize, stem, join names), so MiniSearch gets ready terms separated by spaces.
const PRE_ANALYZED = { tokenize: (text: string) => text.split(' ').filter(Boolean), processTerm: (term: string) => term };
// Fields hold word lists, not prose: a longer synonym list must not make an action less relevant (b = 0).
const BM25 = { k: 1.2, b: 0, d: 0.5 };

// ---------- what the intent names (cues) ----------

const OPERATIONS = Object.keys(OPERATION_WORDS) as Operation[];
const READ_OPERATIONS: ReadonlySet<Operation> = new Set(['list', 'get', 'search']);
const OUT_OF_SCOPE = 'out-of-scope';

/** Per CRM: each entity's words (its own vocabulary, then the generic synonyms that land on it). */
function entityWords(vocab: readonly EntityVocab[]): Map<string, string[]> {
  const out = new Map(vocab.map((v) => [v.id, [v.id.replace(/-/g, ' '), v.name, ...v.words]]));
  for (const [word, targets] of Object.entries(ENTITY_SYNONYMS)) {
    const target = targets.find((id) => out.has(id));
    if (target) out.get(target)?.push(word);
  }
  return out;
}

interface CueDoc {
  id: string;
  kind: 'operation' | 'entity' | typeof OUT_OF_SCOPE;
  words: string;
  hints: string;
}

/** One CRM's understanding of words: an index of its entities, all operations and the out-of-scope words. */
interface Lexicon {
  cues: MiniSearch<CueDoc>;
  words: Map<string, string[]>;
  phrases: Set<string>;
  known: KnownTerms;
}

const LEXICONS = new WeakMap<readonly EntityVocab[], Lexicon>();

function lexiconOf(vocab: readonly EntityVocab[]): Lexicon {
  const cached = LEXICONS.get(vocab);
  if (cached) return cached;
  const words = entityWords(vocab);
  const docs: CueDoc[] = [
    ...OPERATIONS.map((op) => ({
      id: `op:${op}`,
      kind: 'operation' as const,
      words: indexTerms(OPERATION_WORDS[op].words).join(' '),
      hints: indexTerms(OPERATION_WORDS[op].hints).join(' '),
    })),
    ...[...words].map(([id, list]) => ({ id: `entity:${id}`, kind: 'entity' as const, words: indexTerms(list).join(' '), hints: '' })),
    { id: OUT_OF_SCOPE, kind: OUT_OF_SCOPE, words: indexTerms(OUT_OF_SCOPE_WORDS).join(' '), hints: '' },
  ];
  const cues = new MiniSearch<CueDoc>({ fields: ['words', 'hints'], storeFields: ['kind'], ...PRE_ANALYZED });
  cues.addAll(docs);
  const terms = new Set(docs.flatMap((d) => `${d.words} ${d.hints}`.split(' ')).filter(Boolean));
  const phrases = new Set([...terms].filter((t) => t.includes(PHRASE_JOINER)));
  const lexicon = { cues, words, phrases, known: new KnownTerms(terms) };
  LEXICONS.set(vocab, lexicon);
  return lexicon;
}

interface Cue {
  id: string;
  score: number;
  /** Positions of the words that named it. */
  positions: number[];
}

interface IntentCues {
  operations: Cue[];
  /** In the order they are first named: the first is usually the object ("add a note to a contact"). */
  entities: Cue[];
  outOfScope: boolean;
}

function cuesOf(words: readonly QueryWord[], lexicon: Lexicon, known: KnownTerms): IntentCues {
  const found =
    words.length === 0
      ? []
      : lexicon.cues.search(
          searchQuery(words, known, () => 1),
          { boost: { words: 1, hints: 0.4 }, bm25: BM25, ...PRE_ANALYZED },
        );
  const cue = (r: SearchResult, prefix: string): Cue => ({
    id: String(r.id).slice(prefix.length),
    score: r.score,
    positions: positionsOf(r, words, known),
  });
  const first = (c: Cue) => Math.min(...c.positions);
  return {
    operations: found
      .filter((r) => r.kind === 'operation')
      .map((r) => cue(r, 'op:'))
      .sort((a, b) => b.score - a.score || OPERATIONS.indexOf(a.id as Operation) - OPERATIONS.indexOf(b.id as Operation)),
    entities: found
      .filter((r) => r.kind === 'entity')
      .map((r) => cue(r, 'entity:'))
      .sort((a, b) => first(a) - first(b) || b.score - a.score),
    outOfScope: found.some((r) => r.kind === OUT_OF_SCOPE),
  };
}

// ---------- ranking ----------

/** What the ranker needs of an action (a failed build has no operation or entity). */
export interface RankableAction {
  key: string;
  name: string;
  description: string;
  operation?: Operation;
  entity?: string;
}

export interface RankedAction<T> {
  action: T;
  /**
   * Relevance from 0 (exclusive) to 1, relative to this search's best match. At least STRONG_MATCH when
   * the intent names both the action's record type and what it does (or, naming no operation, the
   * action only reads); below it the action only shares some words with the intent.
   */
  score: number;
}

export const STRONG_MATCH = 0.5;

/**
 * What an action does, in the words of the operations: creating a note is adding one, and an update can
 * complete a record (set its status) where the CRM has no complete action, though less surely.
 */
function operationsOf(action: RankableAction): { sure: Operation[]; likely: Operation[] } {
  const op = action.operation;
  if (op === undefined) return { sure: [], likely: [] };
  if (op === 'create' && action.entity === 'note') return { sure: ['create', 'add-note'], likely: [] };
  if (op === 'update') return { sure: ['update'], likely: ['complete'] };
  return { sure: [op], likely: [] };
}

interface ActionDoc {
  id: number;
  title: string;
  entity: string;
  operation: string;
  operationHints: string;
  description: string;
}

// Naming the record type and the operation is what matters; the title counts more than the prose.
const FIELD_BOOSTS = { entity: 3, operation: 2, operationHints: 0.6, title: 1.5, description: 0.3 };
/**
 * Results come in tiers, each scored within its own range relative to its best member: strong matches;
 * weak ones; and, for a read question ("which leads…", "show…"), actions that write, below every read
 * (a word in a delete action's description must not lift it above a read).
 */
type Tier = 'strong' | 'weak' | 'write-on-read';
const TIER_SCORES: Record<Tier, [number, number]> = { strong: [0.5, 1], weak: [0.25, 0.49], 'write-on-read': [0.01, 0.24] };
// Records named after the first are usually where the first goes ("a note to a contact").
const LATER_ENTITY = 0.6;

// The same word lists recur across a catalog (every list action has the list words); analyse each once.
const FIELD_TEXTS = new Map<string, string>();
function fieldText(cacheKey: string, words: () => string[]): string {
  let text = FIELD_TEXTS.get(cacheKey);
  if (text === undefined) FIELD_TEXTS.set(cacheKey, (text = indexTerms(words()).join(' ')));
  return text;
}

function actionDoc(a: RankableAction, id: number, lexicon: Lexicon): ActionDoc {
  const { sure, likely } = operationsOf(a);
  const ops = `${sure.join(',')}/${likely.join(',')}`;
  const entityWords = a.entity === undefined ? [] : (lexicon.words.get(a.entity) ?? [a.entity]);
  return {
    id,
    title: indexTerms([...tokenize(a.key), ...tokenize(a.name)]).join(' '),
    entity: fieldText(`entity:${entityWords.join('|')}`, () => entityWords),
    operation: fieldText(`operation:${ops}`, () => sure.flatMap((op) => OPERATION_WORDS[op].words)),
    operationHints: fieldText(`hints:${ops}`, () => [
      ...sure.flatMap((op) => OPERATION_WORDS[op].hints),
      ...likely.flatMap((op) => OPERATION_WORDS[op].words),
    ]),
    description: indexTerms(tokenize(a.description)).join(' '),
  };
}

interface CatalogIndex {
  index: MiniSearch<ActionDoc>;
  /** Every term indexed for this catalog and CRM: a word outside them may be a typo. */
  known: KnownTerms;
}

// Indexing is most of a search's cost; a long-lived process searches the same few catalogs again and again.
const CATALOG_INDEXES = new WeakMap<Lexicon, Map<string, CatalogIndex>>();
const CATALOGS_KEPT = 8;

function catalogIndex(actions: readonly RankableAction[], lexicon: Lexicon): CatalogIndex {
  const fingerprint = actions.map((a) => [a.key, a.name, a.operation, a.entity, a.description].join('\u0001')).join('\u0002');
  let kept = CATALOG_INDEXES.get(lexicon);
  if (!kept) CATALOG_INDEXES.set(lexicon, (kept = new Map()));
  const cached = kept.get(fingerprint);
  if (cached) return cached;
  const docs = actions.map((a, id) => actionDoc(a, id, lexicon));
  const index = new MiniSearch<ActionDoc>({ fields: Object.keys(FIELD_BOOSTS), ...PRE_ANALYZED });
  index.addAll(docs);
  const correctable = new Set(lexicon.known.terms);
  for (const d of docs) for (const t of d.title.split(' ')) if (t) correctable.add(t);
  const terms = new Set(correctable);
  for (const d of docs) for (const t of d.description.split(' ')) if (t) terms.add(t);
  const known = new KnownTerms(terms, correctable);
  if (kept.size >= CATALOGS_KEPT) kept.delete(kept.keys().next().value as string);
  const built = { index, known };
  kept.set(fingerprint, built);
  return built;
}

function isStrong(action: RankableAction, cues: IntentCues): boolean {
  if (cues.outOfScope || action.entity === undefined || action.operation === undefined) return false;
  if (!cues.entities.some((e) => e.id === action.entity)) return false;
  if (cues.operations.length === 0) return READ_OPERATIONS.has(action.operation);
  const { sure, likely } = operationsOf(action);
  return cues.operations.some((o) => sure.includes(o.id as Operation) || likely.includes(o.id as Operation));
}

/**
 * The actions that match `intent`, best first, each with its relevance. Actions that share nothing with
 * the intent are left out, so an intent nothing fits gets an empty list. Equal scores keep catalog order.
 */
export function rankActions<T extends RankableAction>(
  intent: string,
  actions: readonly T[],
  vocab: readonly EntityVocab[],
): RankedAction<T>[] {
  const lexicon = lexiconOf(vocab);
  const words = queryWords(intent, lexicon.phrases);
  if (words.length === 0 || actions.length === 0) return [];
  const { index, known } = catalogIndex(actions, lexicon);
  const cues = cuesOf(words, lexicon, known);
  const readIntent = cues.operations.every((o) => READ_OPERATIONS.has(o.id as Operation));
  const object = new Set(cues.entities[0]?.positions ?? []);
  const laterEntities = new Set(cues.entities.slice(1).flatMap((e) => e.positions.filter((p) => !object.has(p))));
  const found = index.search(
    searchQuery(words, known, (i) => (laterEntities.has(i) ? LATER_ENTITY : 1)),
    {
      boost: FIELD_BOOSTS,
      bm25: BM25,
      ...PRE_ANALYZED,
    },
  );
  const tierOf = (a: RankableAction): Tier =>
    isStrong(a, cues) ? 'strong' : readIntent && a.operation !== undefined && !READ_OPERATIONS.has(a.operation) ? 'write-on-read' : 'weak';
  // A hint alone ("what", "this week") is no evidence that an action fits: it needs a word of its own.
  const evidence = (r: SearchResult) => Object.values(r.match).some((fields) => fields.some((f) => f !== 'operationHints'));
  const results = found
    .filter((r) => r.score > 0 && evidence(r))
    .map((r) => ({ id: r.id as number, raw: r.score, tier: tierOf(actions[r.id as number]) }));
  const best = new Map<Tier, number>();
  for (const r of results) best.set(r.tier, Math.max(best.get(r.tier) ?? 0, r.raw));
  return results
    .map((r) => {
      const [low, high] = TIER_SCORES[r.tier];
      return { id: r.id, score: Math.round((low + (high - low) * (r.raw / (best.get(r.tier) ?? r.raw))) * 100) / 100 };
    })
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .map((r) => ({ action: actions[r.id], score: r.score }));
}

// ---------- action create ----------

export type ParsedDescription = { operation: Operation; entity: string } | { reason: string };

const OPERATION_NAMES = 'list, get, search, create, update, delete, complete, add a note';

/**
 * `action create "<description>"` → the (operation, entity) to build. Prefers a pair the entity
 * supports ("close the ticket" → update case when cases cannot be completed); when none is
 * supported, returns the strongest pair so `buildAction` can say why it cannot be built.
 */
export function parseDescription(text: string, crm: { name: string; entities: readonly EntityVocab[] }): ParsedDescription {
  const lexicon = lexiconOf(crm.entities);
  const cues = cuesOf(queryWords(text, lexicon.phrases), lexicon, lexicon.known);
  if (cues.entities.length === 0) {
    const known = crm.entities.map((e) => e.name).join(', ') || 'none';
    return { reason: `No ${crm.name} entity found in "${text}" (known entities: ${known})` };
  }
  if (cues.operations.length === 0) {
    return { reason: `Could not tell what the action should do from "${text}" (say one of: ${OPERATION_NAMES})` };
  }
  // The operation most clearly asked for, on the first-named entity that supports it; completing falls
  // back to an update (of the status) where the entity cannot be completed.
  const asked = cues.operations.map((o) => o.id as Operation);
  for (const operation of [...asked, ...(asked.includes('complete') && !asked.includes('update') ? ['update' as const] : [])]) {
    const entity = cues.entities.find((e) => crm.entities.find((v) => v.id === e.id)?.operations.includes(operation));
    if (entity) return { operation, entity: entity.id };
  }
  return { operation: cues.operations[0].id as Operation, entity: cues.entities[0].id };
}
