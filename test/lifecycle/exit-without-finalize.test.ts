/**
 * A rank that exits 0 without finalize while the others still wait for it ends the job (Open
 * MPI's "exited without calling finalize"), naming the rank, with exit code 1; one that leaves
 * that way once the others are done does not. Ranks that finalize and then `process.exit(0)`
 * are fine (send-then-exit.test.ts); so are programs that return without it (failures.test.ts).
 * Across hosts: test/hosts/ssh-failures.test.ts.
 */
import { describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

describe("a rank that exits 0 without finalize", () => {
  it("ends the job when the others wait for it, naming the rank", async () => {
    const run = await runTsmpirun(["-n", "4", "--timeout", "60", fixture("exit-without-finalize"), "2"]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^tsmpirun: rank 2 of 4 on \S+ \(pid \d+\) exited without calling finalize while other ranks were still running; ended the job$/m);
    expect(run.stderr).not.toContain("timed out");
    expect(run.stdout).toContain("rank 2 leaving");
    expect(run.tmpLeftovers).toEqual([]);
  });

  it("does not when every other rank has finalized", async () => {
    const run = await runTsmpirun(["-n", "3", "--timeout", "60", fixture("exit-without-finalize"), "0", "after"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("rank 0 leaving");
    expect(run.stderr).not.toContain("finalize");
  });
});
