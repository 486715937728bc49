// Checks both transports make on a JSON-RPC message before the SDK sees it, so the answer is a short,
// coded JSON-RPC error rather than the SDK's dump of validation issues.
import type { JSONRPCErrorResponse } from '@modelcontextprotocol/server';

type RequestId = string | number;

/** A JSON-RPC error answer (id null when the request's id could not be read). */
export function rpcErrorMessage(id: RequestId | null, code: number, message: string): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id, error: { code, message } } as JSONRPCErrorResponse;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** -32602 for a tools/call whose params are missing or of the wrong type; undefined for anything else. */
export function invalidToolsCall(message: unknown): JSONRPCErrorResponse | undefined {
  if (!isObject(message) || message.method !== 'tools/call') return undefined;
  const id = message.id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const params = message.params;
  const problem = !isObject(params)
    ? 'params must be an object {name, arguments}'
    : typeof params.name !== 'string'
      ? 'params.name must be a string naming a tool (tools/list lists them)'
      : params.arguments !== undefined && !isObject(params.arguments)
        ? 'params.arguments must be an object of the tool’s arguments'
        : undefined;
  return problem ? rpcErrorMessage(id, -32602, `Invalid params for tools/call: ${problem}.`) : undefined;
}
