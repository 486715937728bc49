// resources/list, resources/templates/list and resources/read on one Server instance. A read that fails is
// a JSON-RPC error whose message is the tools' `CODE: what happened. Next: what to do` text and whose data
// is the same coded error object a tool result carries (an unknown resource is "resource not found").
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  type InputRequiredResult,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType,
  type Server,
  type ServerContext as SdkContext,
} from '@modelcontextprotocol/server';
import { ToolError } from '../errors.js';
import { failure, toToolError } from '../results/tool-result.js';
import { type ToolServing, connectRound, dialogRound, enrich, requestCall } from '../tools/registry.js';
import type { ServerContext } from '../tools/tool-context.js';
import { connectorResources, readAction, readCatalog, readStoredResult, servedConnector } from './resource-reads.js';
import { ACTION_URI_TEMPLATE, CATALOG_URI_TEMPLATE, RESULT_URI_TEMPLATE, parseResourceUri } from './resource-uris.js';

/** Entries per resources/list page at most; a page also stays within the result budget (--max-result-chars). */
const LIST_PAGE = 100;

/**
 * The entries of one page from `start`: up to LIST_PAGE, and no more than fit `maxChars` of JSON (at least one,
 * so a listing always moves on). Returns the page and where the next one starts (undefined at the end).
 */
export function resourcePage(all: Resource[], start: number, maxChars: number): { page: Resource[]; next?: number } {
  const page: Resource[] = [];
  // The envelope: {"resources":[...],"nextCursor":"..."}.
  let chars = 64;
  for (let i = start; i < all.length && page.length < LIST_PAGE; i++) {
    const size = JSON.stringify(all[i]).length + 1;
    if (page.length > 0 && chars + size > maxChars) break;
    page.push(all[i]);
    chars += size;
  }
  const next = start + page.length;
  return { page, ...(next < all.length ? { next } : {}) };
}

export function resourceTemplates(ctx: Pick<ServerContext, 'connectors'>): ResourceTemplateType[] {
  const keys = ctx.connectors.map((c) => c.key).join(', ');
  return [
    {
      uriTemplate: CATALOG_URI_TEMPLATE,
      name: 'action-catalog',
      title: 'Action catalog of a connector',
      description: `Every action of the connector's connection that this server allows: id, key, name, kind. connector: ${keys}.`,
      mimeType: 'application/json',
    },
    {
      uriTemplate: ACTION_URI_TEMPLATE,
      name: 'action',
      title: 'One action with its full schemas',
      description: `An action (by id or key) with its description, Membrane type, kind, and full input and output JSON Schemas. connector: ${keys}.`,
      mimeType: 'application/json',
    },
    {
      uriTemplate: RESULT_URI_TEMPLATE,
      name: 'stored-result',
      title: 'The rest of a truncated result',
      description:
        'What did not fit in a truncated tool result or resource, from offset on (kept 10 minutes); a page says where the next one starts.',
      mimeType: 'application/json',
    },
  ];
}

/** A JSON-RPC error with the coded error's text and (except for a missing resource) its object, within the output budget like a tool's. */
function readError(e: unknown, uri: string, ctx: ServerContext, connector: string): ProtocolError {
  const error = toToolError(e);
  const rendered = failure(error, ctx.client.backend, connector, ctx.settings.maxResultChars);
  const text = (rendered.content[0] as { text: string }).text;
  const data = rendered.structuredContent;
  // Resource-not-found is recognised by its data being exactly {uri}: the coded error is in the message.
  if (error.code === 'NOT_FOUND') return new ResourceNotFoundError(uri, text);
  const invalid = error.code === 'INVALID_INPUT' || error.code === 'POLICY_DENIED';
  return new ProtocolError(invalid ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError, text, data);
}

/**
 * Reads one resource. A connection that needs the user, for a client that can open pages, becomes a round
 * that sends the user to the connect page (as for a tool call); the client reads again when they are back.
 */
async function read(
  server: Server,
  ctx: ServerContext,
  serving: Pick<ToolServing, 'dialogCodec'>,
  uri: string,
  sdk: SdkContext,
): Promise<Record<string, unknown>> {
  const address = parseResourceUri(uri);
  if (!address) {
    throw new ToolError('NOT_FOUND', `No resource "${uri.slice(0, 200)}" on this server`, {
      nextStep:
        'resources/templates/list gives the URI patterns (membrane://{connector}/actions, …/actions/{actionId}, membrane://results/{resultId}).',
      retryable: false,
    });
  }
  if (address.kind === 'result') return readStoredResult(ctx, address.resultId, address.offset);
  const connector = servedConnector(ctx, address.connector);
  const call = { ...requestCall(ctx, connector, 'resources/read', sdk.mcpReq.signal), dialog: dialogRound(server, sdk) };
  try {
    return address.kind === 'catalog' ? await readCatalog(ctx, call) : await readAction(ctx, call, address.actionId);
  } catch (e) {
    const asked = await connectRound(enrich(toToolError(e), ctx, call), call, serving);
    throw asked instanceof ToolError ? asked : new ConnectPage(asked);
  }
}

/** Carries a connect round out of read(): the read answers it instead of contents. */
class ConnectPage extends Error {
  constructor(readonly round: InputRequiredResult) {
    super('the read sends the user to a connect page');
  }
}

export function registerResources(server: Server, ctx: ServerContext, serving: Pick<ToolServing, 'dialogCodec'>): void {
  const templates = resourceTemplates(ctx);
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: templates }));

  server.setRequestHandler('resources/list', async (request, sdk) => {
    const all: Resource[] = [];
    for (const connector of ctx.connectors) {
      all.push(...(await connectorResources(ctx, requestCall(ctx, connector, 'resources/list', sdk.mcpReq.signal))));
    }
    const { page, next } = resourcePage(all, decodeCursor(request.params?.cursor), ctx.settings.maxResultChars);
    return { resources: page, ...(next !== undefined ? { nextCursor: encodeCursor(next) } : {}) };
  });

  server.setRequestHandler('resources/read', async (request, sdk): Promise<ReadResourceResult | InputRequiredResult> => {
    const { uri } = request.params;
    const address = parseResourceUri(uri);
    const connector = address && address.kind !== 'result' ? address.connector : 'none';
    try {
      const doc = await read(server, ctx, serving, uri, sdk);
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(doc) }] };
    } catch (e) {
      if (e instanceof ConnectPage) {
        ctx.log.info(`resources/read ${uri.slice(0, 120)}: the connection needs the user; sending them to the connect page`);
        return e.round;
      }
      const error = readError(e, uri, ctx, connector);
      ctx.log.info(`resources/read ${uri.slice(0, 120)} → ${error.message.split(':')[0]}`);
      throw error;
    }
  });
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** The offset a cursor names; a cursor that is not ours is -32602, as the protocol asks. */
function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: pass the nextCursor of the previous resources/list page.');
  return Number(m[1]);
}
