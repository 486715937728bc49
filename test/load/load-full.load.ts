// `npm run test:load`: 200 create calls with 50 in flight from one client against the
// sandbox, on each sandbox backend, complete with no error and no lost write (the record count grows by exactly 200), nothing is left
// running, and the server's peak RSS is reported. Prints: calls, errors, orphans, duration, peak RSS.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { procAvailable } from '../helpers/processes.js';
import { runCreateLoad } from './create-load.js';

const CALLS = Number(process.env.LOAD_CALLS ?? 200);
const IN_FLIGHT = Number(process.env.LOAD_IN_FLIGHT ?? 50);

describe.each(BACKENDS)('load (full) on $name', (backend) => {
  it(`${CALLS} create-note calls, ${IN_FLIGHT} in flight: no error, no lost write, no orphan`, async () => {
    const r = await runCreateLoad({ backend, calls: CALLS, inFlight: IN_FLIGHT, label: 'full' });
    console.error(`[load full] report ${JSON.stringify(r)}`);
    expect(r.errorCodes).toEqual({});
    expect(r.errors).toBe(0);
    expect(r.recordsAfter - r.recordsBefore).toBe(CALLS);
    expect(r.distinctIds).toBe(CALLS);
    expect(r.actionRuns).toBe(CALLS);
    expect(r.orphansAtEnd).toBe(0);
    expect(r.orphansAfterClose).toBe(0);
    if (procAvailable) expect(r.peakRssKb).toBeGreaterThan(10_000);
  });
});
