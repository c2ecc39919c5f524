/**
 * The environment a rank pod of `tsmpirun --emit k8s` gets: the contract between the emitted Job and
 * the runtime, which reads these variables when it is started as `tsmpirun --as-rank PROGRAM`.
 * Pods find each other through DNS alone (the Indexed Job's hostnames under a headless Service), so
 * nothing here needs the Kubernetes API.
 */
import { ENV } from "@tsmpi/runtime/internal/wireup";
import type { EnvVar } from "./objects.ts";

/** Where the job's Secret is mounted in every rank pod. */
export const KEY_DIRECTORY = "/var/run/tsmpi";
/** The Secret's key (and so the file under {@link KEY_DIRECTORY}) that holds the job's CURVE key pair. */
export const KEY_NAME = "key";

/** What the variables are computed from. */
export interface RankEnvironmentOptions {
  /** Job, Service and pod-hostname prefix (a DNS label). */
  name: string;
  /** Number of ranks. */
  np: number;
  /** TCP port rank 0 serves the rendezvous on. */
  port: number;
  /** `NAME-<random hex>`: tells this run apart from an earlier one of the same name. */
  jobId: string;
}

/**
 * The TSMPI_* variables of every rank container, in this order:
 *
 * - `TSMPI_SIZE`: the number of ranks (N).
 * - `TSMPI_RANK_FROM=JOB_COMPLETION_INDEX`: the name of the variable that holds this pod's rank; the
 *   Job controller sets `JOB_COMPLETION_INDEX` (0..N-1) in every pod of an Indexed Job.
 * - `TSMPI_RENDEZVOUS=tcp://NAME-0.NAME:PORT`: rank 0's pod (hostname `NAME-0`, subdomain `NAME`)
 *   serves the rendezvous itself, so there is no sidecar and no launcher pod.
 * - `TSMPI_WIREUP=rank0`: says so (the other ranks connect there; rank 0 binds it).
 * - `TSMPI_BIND_ADDRESS`: the pod's IP (downward API `status.podIP`), the address a rank binds its
 *   tcp socket on and publishes: the first interface need not be the pod network's.
 * - `TSMPI_KEY_FILE=/var/run/tsmpi/key`: the job's key pair as JSON
 *   `{"publicKey":"…","secretKey":"…"}` (z85), from the job's Secret. A file rather than a variable,
 *   so the secret key is not in every process's environment.
 * - `TSMPI_JOB_ID=NAME-<random hex>`.
 */
export function rankEnvironment({ name, np, port, jobId }: RankEnvironmentOptions): EnvVar[] {
  // The runtime's names (env.ts reads them), so that the manifest cannot drift from the reader.
  return [
    { name: ENV.size, value: String(np) },
    { name: ENV.rankFrom, value: "JOB_COMPLETION_INDEX" },
    { name: ENV.rendezvous, value: `tcp://${name}-0.${name}:${port}` },
    { name: ENV.wireup, value: "rank0" },
    { name: ENV.bindAddress, valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    { name: ENV.keyFile, value: `${KEY_DIRECTORY}/${KEY_NAME}` },
    { name: ENV.jobId, value: jobId },
  ];
}
