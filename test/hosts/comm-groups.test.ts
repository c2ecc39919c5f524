/**
 * Issue 13's communicator and group calls on the three-host test cluster (test/helpers/cluster.ts):
 * the fixture's splitType(COMM_TYPE_SHARED) must give one communicator per host (its reference
 * tells hosts apart by boot id and network namespace), and createGroup's agreement and create's
 * allgather must work over tcp between hosts as over Unix sockets on one.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { onCluster, requireCluster, skipCluster, withClusterShared } from "../helpers/cluster.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

describe.skipIf(skipCluster("test/hosts/comm-groups.test.ts"))("communicators and groups across hosts", () => {
  beforeAll(requireCluster);

  test("-n 5 on n1:2,n2:1,n3:2: every check of comm-groups.ts passes, splitType giving one communicator per host", async () => {
    const run = await withClusterShared(() => runTsmpirun(onCluster("--timeout", "60", "-n", "5", "--host", "n1:2,n2:1,n3:2", fixture("comm-groups"), "--hosts", "3")));
    expect(run.exitCode, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(["comm-groups ok size=5"]);
  });
});
