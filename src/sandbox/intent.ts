// Intent search for `action list --intent` and the description parser behind `action create`.
// Deliberately small and explainable: tokens → light stems → (operation, entity) cues with weights,
// then a score per action. Entity matches dominate, operation matches come next, and plain word
// overlap with the action's key, name and description breaks ties.
import type { EntityVocab, Operation } from './emulator-types.js';

/** Lower case, split on anything that is not a letter or a digit (any script). */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/**
 * A light stemmer: plural -s/-es/-ies, -ing, -ed, then a trailing -e, so that create/creates/
 * created/creating all become "creat" and company/companies both become "company". It only has to
 * be consistent between queries and action texts, not linguistically right.
 */
export function stem(word: string): string {
  let w = STEM_CACHE.get(word);
  if (w === undefined) {
    w = stemUncached(word);
    STEM_CACHE.set(word, w);
  }
  return w;
}

// Action texts repeat the same few words ("create", "record", the CRM name); a cold process runs
// the stemmer interpreted, so memoizing is worth it.
const STEM_CACHE = new Map<string, string>();

function stemUncached(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = w.slice(0, -3) + 'y';
  else if (w.length > 4 && /(ss|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) w = undouble(w.slice(0, -2));
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** running → runn → run; but keep -ll/-ss (called → call, passed → pass). */
function undouble(w: string): string {
  const m = /([b-df-hj-km-np-tv-z])\1$/.exec(w);
  return m && !/(ll|ss|zz|ff)$/.test(w) ? w.slice(0, -1) : w;
}

export function stems(text: string): string[] {
  return tokenize(text).map(stem);
}

const STOPWORDS = new Set(
  [
    'a',
    'an',
    'the',
    'to',
    'for',
    'of',
    'in',
    'on',
    'with',
    'my',
    'our',
    'me',
    'i',
    'and',
    'or',
    'it',
    'its',
    'this',
    'that',
    'from',
    'as',
    'at',
    'is',
    'are',
    'be',
    'please',
    'some',
    'into',
    'up',
    'we',
    'you',
    'can',
    'want',
    'need',
  ].map(stem),
);

type OpWeights = Partial<Record<Operation, number>>;

/** Words that say what to do, with how strongly they mean each operation. */
const OPERATION_CUES: Record<string, OpWeights> = {
  get: { get: 1 },
  find: { search: 1, get: 0.8, list: 0.5 },
  lookup: { get: 1, search: 0.9 },
  look: { get: 0.9, search: 0.9 },
  fetch: { get: 1, list: 0.5 },
  show: { get: 0.8, list: 0.8 },
  read: { get: 1, list: 0.5 },
  retrieve: { get: 1, list: 0.4 },
  view: { get: 0.9, list: 0.5 },
  detail: { get: 0.8 },
  search: { search: 1 },
  query: { search: 0.9, list: 0.4 },
  filter: { search: 0.8, list: 0.6 },
  match: { search: 0.8 },
  by: { search: 0.3 },
  list: { list: 1 },
  all: { list: 0.9 },
  every: { list: 0.9 },
  browse: { list: 1 },
  enumerate: { list: 1 },
  create: { create: 1 },
  add: { create: 1, 'add-note': 0.5 },
  new: { create: 0.9 },
  make: { create: 0.9 },
  insert: { create: 1 },
  register: { create: 1 },
  open: { create: 0.5 },
  log: { create: 0.6, 'add-note': 0.4 },
  update: { update: 1 },
  edit: { update: 1 },
  modify: { update: 1 },
  change: { update: 1 },
  set: { update: 0.9 },
  move: { update: 0.9 },
  rename: { update: 1 },
  assign: { update: 0.8 },
  reassign: { update: 0.9 },
  delete: { delete: 1 },
  remove: { delete: 1 },
  erase: { delete: 1 },
  drop: { delete: 1 },
  destroy: { delete: 1 },
  complete: { complete: 1, update: 0.6 },
  finish: { complete: 1, update: 0.6 },
  close: { complete: 1, update: 0.7 },
  done: { complete: 1, update: 0.6 },
  mark: { complete: 0.5, update: 0.6 },
  resolve: { complete: 0.9, update: 0.7 },
  note: { 'add-note': 1 },
  comment: { 'add-note': 1 },
  annotate: { 'add-note': 1 },
};

/**
 * How people name CRM things, mapped to entity ids in order of preference. Each CRM keeps only the
 * ids it has, and only the first present one: deal → lead on AmoCRM, → opportunity on 1CRM.
 */
const ENTITY_SYNONYMS: Record<string, string[]> = {
  deal: ['opportunity', 'lead'],
  opportunity: ['opportunity', 'lead'],
  sale: ['opportunity', 'lead'],
  prospect: ['lead'],
  company: ['account', 'company'],
  organization: ['account', 'company'],
  organisation: ['account', 'company'],
  org: ['account', 'company'],
  business: ['account', 'company'],
  firm: ['account', 'company'],
  account: ['account', 'company'],
  person: ['contact'],
  people: ['contact'],
  customer: ['contact', 'account', 'company'],
  client: ['contact', 'account', 'company'],
  ticket: ['case'],
  issue: ['case'],
  incident: ['case'],
  support: ['case'],
  todo: ['task'],
  reminder: ['task'],
  job: ['task'],
  comment: ['note'],
  appointment: ['meeting'],
};

const STEMMED_OPERATION_CUES = new Map(Object.entries(OPERATION_CUES).map(([w, ops]) => [stem(w), ops]));
const STEMMED_ENTITY_SYNONYMS = new Map(Object.entries(ENTITY_SYNONYMS).map(([w, ids]) => [stem(w), ids]));

const ENTITY_DIRECT = 1;
const ENTITY_SYNONYM = 0.85;
const OPERATION_CAP = 1.5;

export interface EntityCue {
  entity: string;
  weight: number;
  /** Token position of the first mention: earlier mentions win ties ("a contact for a company"). */
  position: number;
}

/** Operation weights the words carry (summed, capped so several cues cannot outweigh an entity). */
export function operationCues(tokens: string[]): Map<Operation, number> {
  const out = new Map<Operation, number>();
  for (const t of tokens) {
    const ops = STEMMED_OPERATION_CUES.get(t);
    if (!ops) continue;
    for (const [op, w] of Object.entries(ops) as [Operation, number][]) {
      out.set(op, Math.min(OPERATION_CAP, (out.get(op) ?? 0) + w));
    }
  }
  return out;
}

/** The stemmed word sequences that name an entity: its id, display name and words ("sales order"). */
function vocabPhrases(v: EntityVocab): string[][] {
  return [v.id, v.name, ...v.words].map((p) => stems(p)).filter((p) => p.length > 0);
}

function phraseAt(tokens: string[], i: number, phrase: string[]): boolean {
  return phrase.every((p, k) => tokens[i + k] === p);
}

/** Entities the words mention: the CRM's own vocabulary first, then the generic synonyms. */
export function entityCues(tokens: string[], vocab: readonly EntityVocab[]): EntityCue[] {
  const found = new Map<string, EntityCue>();
  const note = (entity: string, weight: number, position: number) => {
    const prev = found.get(entity);
    if (!prev || weight > prev.weight || (weight === prev.weight && position < prev.position)) {
      found.set(entity, { entity, weight, position: Math.min(position, prev?.position ?? position) });
    }
  };
  const known = new Set(vocab.map((v) => v.id));
  const phrases = vocab.map((v) => ({ id: v.id, phrases: vocabPhrases(v) }));
  for (let i = 0; i < tokens.length; i++) {
    for (const { id, phrases: ps } of phrases) {
      if (ps.some((p) => phraseAt(tokens, i, p))) note(id, ENTITY_DIRECT, i);
    }
    const synonyms = STEMMED_ENTITY_SYNONYMS.get(tokens[i]);
    const target = synonyms?.find((id) => known.has(id));
    if (target) note(target, ENTITY_SYNONYM, i);
  }
  return [...found.values()].sort((a, b) => b.weight - a.weight || a.position - b.position);
}

/** What the ranker needs of an action (a failed build has no operation or entity). */
export interface RankableAction {
  key: string;
  name: string;
  description: string;
  operation?: Operation;
  entity?: string;
}

const W_ENTITY = 3;
const W_OPERATION = 2;
const W_TITLE_WORD = 0.15;
const W_DESCRIPTION_WORD = 0.05;

export interface IntentQuery {
  tokens: string[];
  operations: Map<Operation, number>;
  entities: Map<string, number>;
}

export function analyzeIntent(intent: string, vocab: readonly EntityVocab[]): IntentQuery {
  const tokens = stems(intent).filter((t) => !STOPWORDS.has(t));
  // The first entity named is usually the object ("add a note to the account" is about a note),
  // so each later-mentioned entity counts a little less.
  const byPosition = entityCues(tokens, vocab).sort((a, b) => a.position - b.position);
  const entities = new Map(byPosition.map((c, i) => [c.entity, c.weight * Math.max(0.5, 1 - 0.1 * i)]));
  return { tokens, operations: operationCues(tokens), entities };
}

export function scoreAction(q: IntentQuery, action: RankableAction): number {
  const entityWeight = action.entity === undefined ? 0 : (q.entities.get(action.entity) ?? 0);
  const operationWeight = action.operation === undefined ? 0 : (q.operations.get(action.operation) ?? 0);
  let score = W_ENTITY * entityWeight + W_OPERATION * operationWeight;
  const title = new Set([...stems(action.key), ...stems(action.name)]);
  const description = new Set(stems(action.description));
  for (const t of new Set(q.tokens)) {
    if (title.has(t)) score += W_TITLE_WORD;
    else if (description.has(t)) score += W_DESCRIPTION_WORD;
  }
  return score;
}

/**
 * Actions ordered by relevance to `intent`, best first, at most `limit`. Ties (including actions
 * nothing matched) keep catalog order, so the result is deterministic.
 */
export function rankActions<T extends RankableAction>(
  intent: string,
  actions: readonly T[],
  vocab: readonly EntityVocab[],
  limit: number,
): T[] {
  const q = analyzeIntent(intent, vocab);
  return actions
    .map((action, index) => ({ action, index, score: scoreAction(q, action) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, limit)
    .map((r) => r.action);
}

export type ParsedDescription = { operation: Operation; entity: string } | { reason: string };

const OPERATION_WORDS = 'list, get, search, create, update, delete, complete, add a note';

/**
 * `action create "<description>"` → the (operation, entity) to build. Prefers a pair the entity
 * supports ("close the ticket" → update case when cases cannot be completed); when none is
 * supported, returns the strongest pair so `buildAction` can say why it cannot be built.
 */
export function parseDescription(text: string, crm: { name: string; entities: readonly EntityVocab[] }): ParsedDescription {
  const tokens = stems(text).filter((t) => !STOPWORDS.has(t));
  const ops = [...operationCues(tokens).entries()].sort((a, b) => b[1] - a[1]);
  const entities = entityCues(tokens, crm.entities);
  if (entities.length === 0) {
    const known = crm.entities.map((e) => e.name).join(', ') || 'none';
    return { reason: `No ${crm.name} entity found in "${text}" (known entities: ${known})` };
  }
  if (ops.length === 0) {
    return { reason: `Could not tell what the action should do from "${text}" (say one of: ${OPERATION_WORDS})` };
  }
  let best: { operation: Operation; entity: string; score: number } | undefined;
  for (const e of entities) {
    const vocab = crm.entities.find((v) => v.id === e.entity);
    for (const [op, w] of ops) {
      if (!vocab?.operations.includes(op)) continue;
      // Earlier mentions get a small edge so "create a contact for a company" builds a contact.
      const score = w * e.weight - e.position * 0.001;
      if (!best || score > best.score) best = { operation: op, entity: e.entity, score };
    }
  }
  if (best) return { operation: best.operation, entity: best.entity };
  return { operation: ops[0][0], entity: entities[0].entity };
}
