// Tool handlers called directly, with the real services of the server (connection directory, action
// metadata, input validator, policy, confirmations, repeat guard, result store over an in-memory state
// store) around a FakeMembraneClient: what tools/call runs, without the MCP transport. Arguments go through
// the tool's strict input schema first, as the registry does. The registry's own work (rendering, the
// dialog rounds over the wire, error enrichment) is tested through the in-process server elsewhere.
import { type Settings, SettingsSchema } from '../../src/config.js';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createServerContext, createSharedLookups } from '../../src/server.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { DEFAULT_SCOPE, type StateStore } from '../../src/state/state-store.js';
import { invalidArguments } from '../../src/tools/argument-schemas.js';
import { offersFor, planTools, refFor } from '../../src/tools/registry.js';
import type { CallContext, DialogRound, DialogState, ServerContext } from '../../src/tools/tool-context.js';
import { FakeMembraneClient } from './fake-membrane-client.js';

/** What CallContext.askUser was called with: the round ends with this question instead of a result. */
export class UserAsked extends Error {
  constructor(
    readonly question: string,
    readonly state: DialogState,
  ) {
    super('the handler asked the user');
  }
}

export interface HarnessCall {
  /** Connector key (default amocrm). */
  connector?: string;
  dialog?: Partial<DialogRound>;
  signal?: AbortSignal;
  /** Called when the handler says what it does (just before it runs the work): a test can cancel there. */
  onDoing?: (message: string) => void;
}

export interface ToolHarness {
  ctx: ServerContext;
  client: FakeMembraneClient;
  state: StateStore;
  /** What the handlers said they were doing (CallContext.doing), in order. */
  doing: string[];
  /** Calls the tool `<prefix>_<suffix>` (or `crm_<suffix>` in shared mode) and returns its structured result. */
  call(suffix: string, args?: Record<string, unknown>, opts?: HarnessCall): Promise<Record<string, unknown>>;
  /** The ToolError the call fails with (the test fails if it succeeds or throws anything else). */
  error(suffix: string, args?: Record<string, unknown>, opts?: HarnessCall): Promise<ToolError>;
  /** The fields named by the INVALID_INPUT the call fails with (the test fails on any other outcome). */
  invalidFields(suffix: string, args?: Record<string, unknown>, opts?: HarnessCall): Promise<string[]>;
  /** The question the call asks the user (the test fails if it does not ask). */
  asked(suffix: string, args?: Record<string, unknown>, opts?: HarnessCall): Promise<UserAsked>;
}

export function toolHarness(
  opts: {
    settings?: Partial<Record<keyof Settings, unknown>>;
    client?: FakeMembraneClient;
    state?: StateStore;
    /** The state scope (a tenant's key; default: the single-user scope). */
    scope?: string;
  } = {},
): ToolHarness {
  const settings = SettingsSchema.parse(opts.settings ?? {});
  const client = opts.client ?? new FakeMembraneClient();
  const state = opts.state ?? new MemoryStateStore();
  const log = createLogger({ level: 'error', write: () => undefined });
  const ctx = createServerContext({
    settings,
    client,
    log,
    lookups: createSharedLookups(settings, client, log),
    state,
    scope: opts.scope ?? DEFAULT_SCOPE,
  });
  const planned = planTools(ctx);
  const doing: string[] = [];

  async function call(suffix: string, args: Record<string, unknown> = {}, o: HarnessCall = {}): Promise<Record<string, unknown>> {
    const connector = ctx.connectors.find((c) => c.key === (o.connector ?? 'amocrm'))!;
    const tool = planned.find((t) => t.spec.suffix === suffix && t.connectors.includes(connector));
    if (!tool) throw new Error(`no ${suffix} tool for ${connector.key} under these settings`);
    const parsed = tool.input.safeParse(tool.shared ? { connector: connector.key, ...args } : args);
    if (!parsed.success) throw invalidArguments(parsed.error, tool.name);
    const ref = refFor(tool.connectors, tool.shared);
    const context: CallContext = {
      connector,
      tool: tool.name,
      ref: (s, a) => ref(s, connector, a),
      offers: offersFor(settings),
      signal: o.signal ?? new AbortController().signal,
      doing: (message) => {
        doing.push(message);
        o.onDoing?.(message);
      },
      dialog: { available: false, urlAvailable: false, ...o.dialog },
      askUser: (question, dialogState) => Promise.reject(new UserAsked(question, dialogState)),
    };
    return tool.spec.handle(parsed.data, ctx, context);
  }

  async function outcome(suffix: string, args?: Record<string, unknown>, o?: HarnessCall): Promise<unknown> {
    try {
      const result = await call(suffix, args, o);
      throw new Error(`expected ${suffix} to fail, it returned ${JSON.stringify(result).slice(0, 300)}`);
    } catch (e) {
      return e;
    }
  }

  return {
    ctx,
    client,
    state,
    doing,
    call,
    async error(suffix, args, o) {
      const e = await outcome(suffix, args, o);
      if (!(e instanceof ToolError)) throw e;
      return e;
    },
    async invalidFields(suffix, args, o) {
      const e = await outcome(suffix, args, o);
      if (!(e instanceof ToolError) || e.code !== 'INVALID_INPUT') throw e;
      return ((e.details?.fields ?? []) as { field: string }[]).map((f) => f.field);
    },
    async asked(suffix, args, o) {
      const e = await outcome(suffix, args, o);
      if (!(e instanceof UserAsked)) throw e;
      return e;
    },
  };
}
