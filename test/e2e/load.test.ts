// A small load: 40 distinct create calls with 20 in flight from one client. No error, no lost
// or doubled write (the sandbox's record count grows by exactly 40), no process left behind, and the
// server's peak RSS is reported. The full 200 × 50 run is `npm run test:load` (test/load/).
import { describe, expect, it } from 'vitest';
import { procAvailable } from '../helpers/processes.js';
import { runCreateLoad } from '../load/create-load.js';

describe('load (small)', () => {
  it('40 create-note calls, 20 in flight: no error, exactly 40 new records, no orphan process', async () => {
    const r = await runCreateLoad({ calls: 40, inFlight: 20, label: 'small' });
    expect(r.errorCodes).toEqual({});
    expect(r.errors).toBe(0);
    expect(r.recordsAfter - r.recordsBefore).toBe(40);
    expect(r.distinctIds).toBe(40);
    expect(r.orphansAtEnd).toBe(0);
    expect(r.orphansAfterClose).toBe(0);
    // Every create ran exactly once in the CLI: writes are never retried.
    expect(r.actionRuns).toBe(40);
    if (procAvailable) expect(r.peakRssKb).toBeGreaterThan(10_000);
  }, 120_000);
});
