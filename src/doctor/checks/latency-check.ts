// How long one CLI round trip took: every tool call takes at least this long.
import type { Check } from '../check-types.js';
import type { CliFound } from './check-helpers.js';

/** A round trip slower than this makes every tool call feel slow. */
export const SLOW_MS = 3000;

export type LatencySource = 'connection list' | 'status';

export function latencyCheck(ms: number, source: LatencySource, found: Pick<CliFound, 'command' | 'cli'>): Check {
  const summary = `${ms} ms for one \`${source}\` round trip through the CLI`;
  if (ms <= SLOW_MS) return { id: 'latency', title: 'Latency', status: 'ok', summary };
  return {
    id: 'latency',
    title: 'Latency',
    status: 'warn',
    summary: `${summary}: slow, every tool call takes at least this long`,
    fix:
      found.cli.backend === 'sandbox'
        ? 'The sandbox is slow on this machine (a slow disk or a busy CPU?); if calls time out, raise --cli-timeout.'
        : `Check the network path to Membrane (\`${found.command} status\` should answer in about a second); if calls time out, raise --cli-timeout.`,
  };
}
