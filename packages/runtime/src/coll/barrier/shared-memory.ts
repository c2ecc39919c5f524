/**
 * Shared-memory barrier (Open MPI coll/sm): every rank increments the arrival counter of the
 * communicator's region; the last to arrive advances the generation word the others wait on
 * (coll/shared-region.ts, coll/meeting-wait.ts). Messages moved: none, but one empty message to
 * each rank that waited long enough to sleep on messages, against p log2 p for dissemination.
 * Needs every rank on one host.
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
