/**
 * How init() reads the environment it was started in (packages/runtime/src/env.ts readWireupEnv):
 * which way of wiring up each kind of start gets. Pure logic; the modes themselves run in
 * test/slurm/srun-direct.test.ts and test/k8s/discovery.test.ts.
 */
import { describe, expect, test } from "vitest";
import { readWireupEnv } from "../../packages/runtime/src/env.ts";

const launcher = { TSMPI_RENDEZVOUS: "ipc:///tmp/tsmpi-x/rendezvous", TSMPI_RANK: "1", TSMPI_SIZE: "2", TSMPI_JOB_ID: "j" };
const pod = {
  TSMPI_SIZE: "4",
  TSMPI_RANK_FROM: "JOB_COMPLETION_INDEX",
  TSMPI_RENDEZVOUS: "tcp://heat-0.heat:7777",
  TSMPI_WIREUP: "rank0",
  TSMPI_BIND_ADDRESS: "10.1.2.3",
  TSMPI_KEY_FILE: "/var/run/tsmpi/key",
  TSMPI_JOB_ID: "heat-1a2b3c4d",
  JOB_COMPLETION_INDEX: "3",
};
const srunStep = { SLURM_JOB_ID: "52", SLURM_STEP_ID: "0", SLURM_NTASKS: "4", SLURM_STEP_NUM_TASKS: "4", SLURM_PROCID: "2" };

describe("the wire-up an environment asks for", () => {
  test("no job variables at all: a singleton", () => {
    expect(readWireupEnv({})).toEqual({ mode: "singleton" });
  });

  test("an salloc shell or a batch script (SLURM_NTASKS, no step) runs one process: a singleton", () => {
    expect(readWireupEnv({ SLURM_JOB_ID: "52", SLURM_NTASKS: "4" })).toEqual({ mode: "singleton" });
    expect(readWireupEnv({ SLURM_JOB_ID: "52", SLURM_NTASKS: "4", SLURM_PROCID: "0" })).toEqual({ mode: "singleton" });
  });

  test("one task of a one-task srun step: a singleton", () => {
    expect(readWireupEnv({ ...srunStep, SLURM_NTASKS: "1", SLURM_STEP_NUM_TASKS: "1" })).toEqual({ mode: "singleton" });
  });

  test("a task of a 4-task srun step with neither PMI-2 nor tsmpirun is refused, naming srun --mpi=pmi2", () => {
    expect(() => readWireupEnv({ ...srunStep, SLURM_MPI_TYPE: "none" })).toThrow(
      expect.objectContaining({
        name: "TsmpiError",
        code: "ERR_WIREUP",
        message: expect.stringMatching(/^init\(\): this process is one of 4 tasks of Slurm step 52\.0, started without a PMI-2 server \(no PMI_FD; SLURM_MPI_TYPE=none\).*`srun --mpi=pmi2 \.\.\.`/),
      }),
    );
  });

  test("PMI_FD: Slurm's PMI-2 server, with the launch node's address and an optional key file", () => {
    expect(readWireupEnv({ ...srunStep, PMI_FD: "11", SLURM_LAUNCH_NODE_IPADDR: "10.201.0.1" })).toEqual({
      mode: "pmi2",
      job: { launchNodeAddress: "10.201.0.1", bindAddress: undefined, keyFile: undefined },
    });
    expect(readWireupEnv({ PMI_FD: "11", TSMPI_KEY_FILE: "/k" })).toMatchObject({ mode: "pmi2", job: { keyFile: "/k" } });
  });

  test("tsmpirun's rendezvous wins over PMI_FD (its agents may run in a step with PMI)", () => {
    expect(readWireupEnv({ ...launcher, ...srunStep, PMI_FD: "11" })).toMatchObject({ mode: "launcher", job: { rank: 1, size: 2, jobId: "j" } });
  });

  test("the emitted Job's pod: rank from JOB_COMPLETION_INDEX, port from the rendezvous, progress every 10 s", () => {
    expect(readWireupEnv(pod)).toEqual({
      mode: "rank0",
      job: {
        rank: 3,
        size: 4,
        jobId: "heat-1a2b3c4d",
        rendezvous: "tcp://heat-0.heat:7777",
        port: 7777,
        bindAddress: "10.1.2.3",
        keyFile: "/var/run/tsmpi/key",
        progressMs: 10_000,
      },
    });
  });

  test.each([
    [{ JOB_COMPLETION_INDEX: "4" }, /TSMPI_RANK_FROM=JOB_COMPLETION_INDEX, and JOB_COMPLETION_INDEX=4 is not a rank of 0\.\.3/],
    [{ JOB_COMPLETION_INDEX: undefined }, /JOB_COMPLETION_INDEX=\(unset\) is not a rank/],
    [{ TSMPI_RENDEZVOUS: "ipc:///tmp/x" }, /TSMPI_RENDEZVOUS=ipc:\/\/\/tmp\/x: with TSMPI_WIREUP=rank0 it must be tcp:\/\/HOST:PORT/],
    [{ TSMPI_WIREUP: "rank1" }, /TSMPI_WIREUP=rank1: the only value is rank0/],
    [{ TSMPI_RENDEZVOUS: undefined }, /TSMPI_WIREUP=rank0 needs TSMPI_RENDEZVOUS/],
    [{ TSMPI_WIREUP_PROGRESS_SECONDS: "0" }, /TSMPI_WIREUP_PROGRESS_SECONDS=0 is not a positive number/],
  ])("a pod environment with %j is refused with ERR_WIREUP", (change, message) => {
    expect(() => readWireupEnv({ ...pod, ...change })).toThrow(expect.objectContaining({ code: "ERR_WIREUP", message: expect.stringMatching(message) }));
  });
});
