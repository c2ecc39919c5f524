/**
 * The three objects that run a tsmpi job on Kubernetes with nothing installed in the cluster: no
 * operator, no sidecar, no API access from the pods and so no RBAC. Pure: every random or
 * file-system input (key pair, job id, project directory) comes in through {@link JobManifestOptions}.
 */
import { KEY_DIRECTORY, KEY_NAME, rankEnvironment } from "./environment.ts";
import type { JobObject, Manifest, SecretObject, ServiceObject } from "./objects.ts";

/** The most pods an Indexed Job may have (the API server rejects larger `completions` and `parallelism`). */
export const MAX_RANKS = 100_000;

/** Name of the rank container, which the pod failure policy refers to. */
const CONTAINER = "rank";
const KEY_VOLUME = "tsmpi-key";
/** Owner read only: the key is the job's credential. */
const KEY_FILE_MODE = 0o400;

/** Everything the manifests are made from. */
export interface JobManifestOptions {
  /** Job and Service name, prefix of the pod hostnames `NAME-0` ... (a DNS label, see names.ts). */
  name: string;
  /** Number of ranks: the Job's completions and parallelism. */
  np: number;
  /** Container image that holds the project at {@link projectDir}, dependencies installed. */
  image: string;
  /** TCP port of the rendezvous that rank 0 serves. */
  port: number;
  /** Absolute project directory: the container's working directory. */
  projectDir: string;
  /** The program, relative to {@link projectDir}, and its arguments. */
  program: string;
  args: readonly string[];
  /** The job's CURVE key pair (z85), stored in the Secret. */
  keyPair: { publicKey: string; secretKey: string };
  /** `NAME-<random hex>`. */
  jobId: string;
}

/** The Secret `NAME-key`, the headless Service `NAME` and the Indexed Job `NAME`, in the order to create them. */
export function jobManifests(options: JobManifestOptions): Manifest[] {
  return [keySecret(options), headlessService(options), indexedJob(options)];
}

function keySecretName(name: string): string {
  return `${name}-key`;
}

function keySecret({ name, keyPair }: JobManifestOptions): SecretObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: keySecretName(name) },
    type: "Opaque",
    stringData: { [KEY_NAME]: JSON.stringify({ publicKey: keyPair.publicKey, secretKey: keyPair.secretKey }) },
  };
}

/**
 * Headless (`clusterIP: None`): it exists for its DNS records, `NAME-i.NAME`, one per pod whose
 * `subdomain` it is. `publishNotReadyAddresses` makes rank 0's record appear as soon as the pod has
 * an IP, not only once it is Ready (a rank connects to rank 0 while both are still starting). The
 * pods are selected by the `job-name` label that the Job controller puts on them (every version with Indexed Jobs has it;
 * `batch.kubernetes.io/job-name` only from 1.27).
 */
function headlessService({ name, port }: JobManifestOptions): ServiceObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { "job-name": name },
      ports: [{ name: "rendezvous", port, targetPort: port, protocol: "TCP" }],
    },
  };
}

/**
 * An Indexed Job: pod i gets hostname `NAME-i` and `JOB_COMPLETION_INDEX=i`, its rank. A rank is
 * never retried (`backoffLimit: 0`): a new pod for one rank cannot rejoin a running job. The
 * FailJob rule ends the whole Job, and so every other rank's pod, as soon as one rank exits with a
 * non-zero code, instead of leaving the others to wait for it.
 */
function indexedJob(options: JobManifestOptions): JobObject {
  const { name, np, image, projectDir, program, args } = options;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      completionMode: "Indexed",
      completions: np,
      parallelism: np,
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [{ action: "FailJob", onExitCodes: { containerName: CONTAINER, operator: "NotIn", values: [0] } }],
      },
      template: {
        spec: {
          subdomain: name,
          restartPolicy: "Never",
          // The pods never talk to the API server: no token in them, nothing for RBAC to grant.
          automountServiceAccountToken: false,
          containers: [
            {
              name: CONTAINER,
              image,
              workingDir: projectDir,
              // npx finds the project's own tsmpirun in node_modules/.bin, the version the program was written for.
              command: ["npx", "--no-install", "tsmpirun", "--as-rank", program, ...args],
              env: rankEnvironment(options),
              volumeMounts: [{ name: KEY_VOLUME, mountPath: KEY_DIRECTORY, readOnly: true }],
            },
          ],
          volumes: [{ name: KEY_VOLUME, secret: { secretName: keySecretName(name), defaultMode: KEY_FILE_MODE } }],
        },
      },
    },
  };
}
