/**
 * Shared-memory barrier (Open MPI coll/sm): every rank increments the arrival counter of the
 * communicator's region; the last to arrive wakes the others along a binomial tree rooted at itself
 * (coll/shared-region.ts). Messages moved: p - 1, all empty, against p log2 p for dissemination;
 * depth log2 p. Needs every rank on one host.
 */
import { needsSharedMemory, withSharedRegion } from "../shared-region.ts";
import type { CollectiveCall } from "../messages.ts";

export const barrierSharedMemory = {
  name: "shared-memory",
  canRun: needsSharedMemory,
  run(call: CollectiveCall): Promise<void> {
    return withSharedRegion(
      call,
      async (region) => {
        region.announce(call, 0);
        await region.meet(call, 0);
      },
      () => (call.withoutSharedMemory() as { run(call: CollectiveCall): Promise<void> }).run(call),
    );
  },
};
