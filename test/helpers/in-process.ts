// A server factory served in process through the SDK's own HTTP entry (createMcpHandler, no socket),
// driven by the SDK's Client in either protocol era: the same path a deployed --http server takes.
import { Client, type ClientCapabilities, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type McpServerFactory, createMcpHandler } from '@modelcontextprotocol/server';
import { type Era, eraOptions } from './mcp.js';

export interface InProcess {
  client: Client;
  close(): Promise<void>;
}

export async function connectInProcess(
  factory: McpServerFactory,
  opts: {
    era?: Era;
    capabilities?: ClientCapabilities;
    setup?: (client: Client) => void;
    /** 2026 only: input_required results come back to the caller instead of being answered by the client. */
    manualRounds?: boolean;
  } = {},
): Promise<InProcess> {
  const handler = createMcpHandler(factory);
  const transport = new StreamableHTTPClientTransport(new URL('http://in-process.test/mcp'), {
    fetch: (url, init) => handler.fetch(new Request(url, init)),
  });
  const client = new Client(
    { name: 'in-process', version: '1.0.0' },
    {
      capabilities: opts.capabilities ?? {},
      ...eraOptions(opts.era),
      ...(opts.manualRounds ? { inputRequired: { autoFulfill: false } } : {}),
    },
  );
  opts.setup?.(client);
  await client.connect(transport);
  return {
    client,
    async close() {
      await client.close();
      await handler.close();
    },
  };
}
