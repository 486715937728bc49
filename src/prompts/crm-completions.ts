// Suggestions for prompt arguments and resource template variables (completion/complete): connector keys,
// and names from the CRM itself (contacts, leads, pipelines, stages) read the way the tools read them: the
// connection resolved like any call, a read action found by intent among the actions the rules allow (its
// Membrane type must prove it reads), its input checked against its schema, then run. Bounded (a few
// seconds, a few values) and cached briefly; a completion that cannot be served is an empty list, never
// an error (people are typing).
import type { Connector } from '../connectors.js';
import type { Action, JsonSchema } from '../membrane/membrane-client.js';
import { classifyAction } from '../policy/action-kind.js';
import { escaped } from '../policy/call-preview.js';
import { actionRef } from '../policy/rules.js';
import { matchStrength } from '../results/cards.js';
import { TtlCache } from '../lookups/ttl-cache.js';
import type { ServerContext } from '../tools/tool-context.js';
import { requestCall } from '../tools/registry.js';
import { ACTIVITIES, type CompletionSource } from './workflow-prompts.js';

/** Values suggested at most (the protocol caps a completion at 100). */
export const MAX_SUGGESTIONS = 20;
/** Characters of all suggested values together: names come from CRM records, which anyone may have written. */
export const MAX_SUGGESTION_CHARS = 2000;
/** Candidates kept per lookup (and cached) before the budget picks what is sent. */
const MAX_CANDIDATES = 100;
/** How long one completion may take, CRM calls included. */
const COMPLETION_TIMEOUT_MS = 5000;
const CACHE_TTL_MS = 30_000;
/** Inputs that take a free-text search, in the order tried. */
const SEARCH_INPUTS = ['query', 'search', 'q', 'term', 'text'];
/** Fields of a stage or status whose values are the stages (AmoCRM status_id is an id; its names come from the pipelines). */
const STAGE_FIELD = /^(sales_)?(stage|status)$/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Keeps the values that contain `typed` (case-insensitively), those that start with it first, without duplicates. */
export function matching(values: Iterable<string>, typed: string): string[] {
  const t = typed.trim().toLowerCase();
  const unique = [...new Set([...values].map((v) => v.trim()).filter(Boolean))];
  const hits = unique.filter((v) => v.toLowerCase().includes(t));
  return [...hits.filter((v) => v.toLowerCase().startsWith(t)), ...hits.filter((v) => !v.toLowerCase().startsWith(t))].slice(
    0,
    MAX_CANDIDATES,
  );
}

/**
 * What a completion sends: each value on one line with control, format and line-separator characters escaped
 * (record names are agent- or user-written text), values longer than the argument takes left out (they could not
 * be used), then at most MAX_SUGGESTIONS values and MAX_SUGGESTION_CHARS characters. `total` counts the usable
 * values; `hasMore` says some were not sent (typing more narrows them).
 */
export function budgetedCompletion(candidates: string[], maxValueChars: number): { values: string[]; total: number; hasMore: boolean } {
  const usable = [...new Set(candidates.map(escaped))].filter((v) => v.length <= maxValueChars);
  const values: string[] = [];
  let chars = 0;
  for (const v of usable) {
    if (values.length >= MAX_SUGGESTIONS || chars + v.length > MAX_SUGGESTION_CHARS) break;
    values.push(v);
    chars += v.length;
  }
  return { values, total: usable.length, hasMore: values.length < usable.length };
}

/** The records array of an action's output, wherever the CRM put it. */
function recordsOf(output: unknown): Json[] {
  const o = output as Json | unknown[] | null;
  const candidates = Array.isArray(o) ? [o] : isObject(o) ? [o.records, o.items, o.data, o.results, o] : [];
  const list = candidates.find(Array.isArray) as unknown[] | undefined;
  return (list ?? []).filter(isObject);
}

/** A person or a record as people name it. */
function displayName(r: Json): string | undefined {
  const s = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const full = [s(r.first_name), s(r.last_name)].filter(Boolean).join(' ');
  return s(r.name) ?? s(r._display) ?? (full || undefined) ?? s(r.title) ?? s(r.subject);
}

function properties(schema: JsonSchema | undefined): Json {
  return isObject(schema?.properties) ? schema.properties : {};
}

/** The enum values of a schema property (plain, or inside anyOf/oneOf as the clearable enums are). */
function enumValues(prop: unknown): string[] {
  if (!isObject(prop)) return [];
  if (Array.isArray(prop.enum)) return prop.enum.filter((v): v is string => typeof v === 'string');
  const alternatives = [prop.anyOf, prop.oneOf].find(Array.isArray) as unknown[] | undefined;
  return (alternatives ?? []).flatMap(enumValues);
}

/** A signal that aborts on the request's cancel or after `ms`. */
function bounded(signal: AbortSignal, ms: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, ms);
  signal.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    },
  };
}

export class CrmCompletions {
  private readonly values = new TtlCache<string[]>(CACHE_TTL_MS, 300);

  constructor(private readonly ctx: ServerContext) {}

  /** Suggestions for one argument; `context` holds the arguments already filled (the connector, the pipeline). */
  async complete(source: CompletionSource, typed: string, context: Record<string, string>, signal: AbortSignal): Promise<string[]> {
    if (source === 'connector')
      return matching(
        this.ctx.connectors.map((c) => c.key),
        typed,
      );
    if (source === 'activity') return matching(ACTIVITIES, typed);
    const connector = this.connectorOf(context.connector);
    if (!connector) return [];
    const key = [source, connector.key, typed.trim().toLowerCase(), source === 'stage' ? (context.pipeline ?? '') : ''].join('|');
    const hit = this.values.get(key);
    if (hit) return hit;
    const limit = bounded(signal, COMPLETION_TIMEOUT_MS);
    try {
      const found = await this.lookup(source, connector, typed, context, limit.signal);
      const values = matching(found, typed);
      this.values.set(key, values);
      return values;
    } catch (e) {
      this.ctx.log.debug(`completion of ${source} for ${connector.key}: none (${e instanceof Error ? e.message : String(e)})`);
      return [];
    } finally {
      limit.done();
    }
  }

  /** The connector named in the arguments, or the only one configured. */
  connectorOf(named: string | undefined): Connector | undefined {
    if (named !== undefined) return this.ctx.connectors.find((c) => c.key === named);
    return this.ctx.connectors.length === 1 ? this.ctx.connectors[0] : undefined;
  }

  /** Allowed action keys of the connector's catalog (the `actionId` of the action resource template). */
  async actionKeys(connector: Connector, typed: string, signal: AbortSignal): Promise<string[]> {
    const limit = bounded(signal, COMPLETION_TIMEOUT_MS);
    try {
      const call = requestCall(this.ctx, connector, 'completion/complete', limit.signal);
      const connectionId = await this.ctx.connections.resolve(connector, undefined, call);
      const actions = await this.ctx.catalog.list(connectionId, limit.signal);
      const allowed = actions.filter((a) => !this.ctx.policy.actionDenial(connector.key, actionRef(a)));
      return matching(
        allowed.map((a) => a.key ?? a.id),
        typed,
      );
    } catch {
      return [];
    } finally {
      limit.done();
    }
  }

  private async lookup(
    source: Exclude<CompletionSource, 'connector' | 'activity'>,
    connector: Connector,
    typed: string,
    context: Record<string, string>,
    signal: AbortSignal,
  ): Promise<string[]> {
    const call = requestCall(this.ctx, connector, 'completion/complete', signal);
    const connectionId = await this.ctx.connections.resolve(connector, undefined, call);
    switch (source) {
      case 'contact':
      case 'lead':
        return this.recordNames(connectionId, connector, source === 'contact' ? 'contacts' : 'leads', typed, signal);
      case 'pipeline':
        return (await this.pipelines(connectionId, connector, signal)).map((p) => p.name);
      case 'stage':
        return this.stages(connectionId, connector, context.pipeline, signal);
    }
  }

  /**
   * An action for the intent that the rules allow, that Membrane's type proves reads, and that the backend
   * does not call a weak match (a backend that only ranks gives no strength: the first fitting one is used).
   */
  private async readAction(
    connectionId: string,
    connector: Connector,
    intent: string,
    fits: (a: Action) => boolean,
    signal: AbortSignal,
  ): Promise<Action | undefined> {
    const found = await this.ctx.client.listActions({ connectionId, intent, limit: 5 }, { signal });
    this.ctx.actions.remember(connectionId, found);
    return found.find((a) => {
      const c = classifyAction(a);
      return (
        c.kind === 'read' &&
        c.trusted &&
        matchStrength(a) !== 'weak' &&
        !this.ctx.policy.actionDenial(connector.key, actionRef(a)) &&
        fits(a)
      );
    });
  }

  /** Runs a read action with an input its schema accepts; undefined when the input does not fit it. */
  private async run(connectionId: string, action: Action, input: Json, signal: AbortSignal): Promise<unknown> {
    const problems = await this.ctx.validator.validate(action, input);
    if (problems.length) return undefined;
    const result = await this.ctx.client.runAction({ actionId: action.id, connectionId, input }, { signal, kind: 'read' });
    return result.output;
  }

  /** Names of contacts or leads: the search action with what was typed, or the list action when nothing was. */
  private async recordNames(
    connectionId: string,
    connector: Connector,
    entity: string,
    typed: string,
    signal: AbortSignal,
  ): Promise<string[]> {
    const text = typed.trim();
    const searchField = (a: Action) => SEARCH_INPUTS.find((f) => (properties(a.inputSchema)[f] as Json | undefined)?.type === 'string');
    const action = text
      ? await this.readAction(connectionId, connector, `search ${entity} by name`, (a) => searchField(a) !== undefined, signal)
      : await this.readAction(
          connectionId,
          connector,
          `list ${entity}`,
          (a) => !(a.inputSchema?.required as unknown[] | undefined)?.length,
          signal,
        );
    if (!action) return [];
    const field = text ? searchField(action)! : undefined;
    const input: Json = {
      ...(field ? { [field]: text } : {}),
      ...('limit' in properties(action.inputSchema) ? { limit: MAX_SUGGESTIONS } : {}),
    };
    const output = await this.run(connectionId, action, input, signal);
    return recordsOf(output)
      .map(displayName)
      .filter((n): n is string => n !== undefined);
  }

  /** Pipelines with their stages, from an action that lists pipelines (AmoCRM has one; many CRMs do not). */
  private async pipelines(connectionId: string, connector: Connector, signal: AbortSignal): Promise<{ name: string; stages: string[] }[]> {
    const action = await this.readAction(
      connectionId,
      connector,
      'list pipelines with their stages',
      (a) => /pipeline/i.test(`${a.key ?? ''} ${a.name}`) && !(a.inputSchema?.required as unknown[] | undefined)?.length,
      signal,
    );
    if (!action) return [];
    const output = await this.run(connectionId, action, {}, signal);
    return recordsOf(output).flatMap((p) => {
      const name = displayName(p);
      const embedded = isObject(p._embedded) ? p._embedded : {};
      const stages = [embedded.statuses, p.statuses, p.stages].find(Array.isArray) as unknown[] | undefined;
      return name
        ? [
            {
              name,
              stages: (stages ?? [])
                .filter(isObject)
                .map(displayName)
                .filter((n): n is string => n !== undefined),
            },
          ]
        : [];
    });
  }

  /**
   * Stage names: the stages of the pipelines (of the named one, when given), else the values of the stage or
   * status field of the lead update action (its schema, as search returns it: nothing is run).
   */
  private async stages(connectionId: string, connector: Connector, pipeline: string | undefined, signal: AbortSignal): Promise<string[]> {
    const pipelines = await this.pipelines(connectionId, connector, signal);
    const chosen = pipeline ? pipelines.filter((p) => p.name.toLowerCase() === pipeline.trim().toLowerCase()) : pipelines;
    const fromPipelines = (chosen.length ? chosen : pipelines).flatMap((p) => p.stages);
    if (fromPipelines.length) return fromPipelines;
    const found = await this.ctx.client.listActions({ connectionId, intent: 'update a lead', limit: 3 }, { signal });
    const usable = found.filter((a) => matchStrength(a) !== 'weak' && !this.ctx.policy.actionDenial(connector.key, actionRef(a)));
    return usable.flatMap((a) =>
      Object.entries(properties(a.inputSchema)).flatMap(([name, prop]) => (STAGE_FIELD.test(name) ? enumValues(prop) : [])),
    );
  }
}
