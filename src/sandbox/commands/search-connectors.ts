// `search <query> [--elementType=connector] [--limit]`: the connector catalog, best match first.
import { parseIntFlag, type ParsedArgs } from '../args.js';
import { catalog, connectorElement, type CatalogEntry } from '../emulators.js';
import { output, type CommandContext, type CommandOutput } from './command-context.js';

const DEFAULT_LIMIT = 20;

function squash(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** 3 exact, 2 prefix, 1 substring, 0 no match; on the key or the display name. */
function matchScore(entry: CatalogEntry, query: string): number {
  const q = squash(query);
  if (!q) return 1; // an empty query lists the whole catalog
  let best = 0;
  for (const field of [squash(entry.key), squash(entry.name)]) {
    if (field === q) best = Math.max(best, 3);
    else if (field.startsWith(q)) best = Math.max(best, 2);
    else if (field.includes(q) || q.includes(field)) best = Math.max(best, 1);
  }
  return best;
}

export async function search(_ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const query = args.rest(1).join(' ');
  const limit = parseIntFlag(args.string('limit'), 'limit', 1, 100) ?? DEFAULT_LIMIT;
  const elementType = args.string('elementType')?.toLowerCase();
  // The sandbox catalog holds connectors only; other element types have no entries.
  const entries =
    elementType === undefined || elementType === 'connector'
      ? catalog()
          .map((entry, index) => ({ entry, index, score: matchScore(entry, query) }))
          .filter((r) => r.score > 0)
          .sort((a, b) => b.score - a.score || a.index - b.index)
          .slice(0, limit)
          .map((r) => r.entry)
      : [];
  const items = entries.map((e) => ({ elementType: 'connector', element: connectorElement(e) }));
  const text = entries.length
    ? entries.map((e) => `${e.key.padEnd(12)} ${e.name.padEnd(12)} ${connectorElement(e).id}${e.emulated ? '  (emulated)' : ''}`).join('\n')
    : `No connectors match '${query}'`;
  return output({ items }, text);
}
