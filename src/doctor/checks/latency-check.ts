// How long one round trip to Membrane took (a CLI process, or an API request): every tool call takes at least this long.
import { isSandbox } from '../../membrane/membrane-client.js';
import type { Check } from '../check-types.js';
import type { Target } from './check-helpers.js';

/** A round trip slower than this makes every tool call feel slow. */
export const SLOW_MS = 3000;

/** The call measured: the tools' connection list, else the login check (`status` for a CLI, one page of connections for the API). */
export type LatencySource = 'connection list' | 'status' | 'access check';

export function latencyCheck(ms: number, source: LatencySource, target: Pick<Target, 'backend' | 'command'>): Check {
  const summary = `${ms} ms for one \`${source}\` round trip through the ${target.command ? 'CLI' : 'API'}`;
  if (ms <= SLOW_MS) return { id: 'latency', title: 'Latency', status: 'ok', summary };
  return {
    id: 'latency',
    title: 'Latency',
    status: 'warn',
    summary: `${summary}: slow, every tool call takes at least this long`,
    fix: isSandbox(target.backend)
      ? 'The sandbox is slow on this machine (a slow disk or a busy CPU?); if calls time out, raise --cli-timeout.'
      : target.command
        ? `Check the network path to Membrane (\`${target.command} status\` should answer in about a second); if calls time out, raise --cli-timeout.`
        : 'Check the network path to the Membrane API (MEMBRANE_API_URI, if set); if calls time out, raise --cli-timeout.',
  };
}
