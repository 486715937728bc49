// A small load on each sandbox backend: 20 distinct create calls with 10 in flight from one client (40 in all, as
// before the API backend existed). No error, no lost or doubled write (the sandbox's record count grows by exactly
// the calls made), no process left behind, and the server's peak RSS is reported. The full 200 × 50 run is
// `npm run test:load` (test/load/).
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { procAvailable } from '../helpers/processes.js';
import { runCreateLoad } from '../load/create-load.js';

const CALLS = 20;

describe.concurrent.each(BACKENDS)('load (small) on $name', (backend) => {
  it(`${CALLS} create-note calls, 10 in flight: no error, exactly ${CALLS} new records, no orphan process`, async () => {
    const r = await runCreateLoad({ backend, calls: CALLS, inFlight: 10, label: 'small' });
    expect(r.errorCodes).toEqual({});
    expect(r.errors).toBe(0);
    expect(r.recordsAfter - r.recordsBefore).toBe(CALLS);
    expect(r.distinctIds).toBe(CALLS);
    expect(r.orphansAtEnd).toBe(0);
    expect(r.orphansAfterClose).toBe(0);
    // Every create reached the sandbox exactly once: writes are never retried.
    expect(r.actionRuns).toBe(CALLS);
    if (procAvailable) expect(r.peakRssKb).toBeGreaterThan(10_000);
  }, 120_000);
});
