/**
 * The parts of the Kubernetes API objects that `tsmpirun --emit k8s` writes, as plain data. Written
 * out here rather than imported from a models package so that the launcher has no dependency for
 * them; the tests check the emitted objects against the real schemas (kubernetes-models).
 */

/** `metadata` of a namespaced object (the namespace is kubectl's current one). */
export interface ObjectMeta {
  name: string;
}

/** A container's environment variable, literal or from the downward API. */
export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

/** core/v1 Secret. */
export interface SecretObject {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  type: "Opaque";
  /** Written as text; the API server stores it base64-encoded under `data`. */
  stringData: Record<string, string>;
}

/** core/v1 Service. */
export interface ServiceObject {
  apiVersion: "v1";
  kind: "Service";
  metadata: ObjectMeta;
  spec: {
    clusterIP: "None";
    publishNotReadyAddresses: boolean;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: number; protocol: "TCP" }[];
  };
}

/** The one container of a rank pod. */
export interface Container {
  name: string;
  image: string;
  workingDir: string;
  command: string[];
  env: EnvVar[];
  volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
}

/** batch/v1 Job. */
export interface JobObject {
  apiVersion: "batch/v1";
  kind: "Job";
  metadata: ObjectMeta;
  spec: {
    completionMode: "Indexed";
    completions: number;
    parallelism: number;
    backoffLimit: number;
    podFailurePolicy: {
      rules: {
        action: "FailJob";
        onExitCodes: { containerName: string; operator: "NotIn"; values: number[] };
      }[];
    };
    template: {
      spec: {
        subdomain: string;
        restartPolicy: "Never";
        automountServiceAccountToken: boolean;
        containers: Container[];
        volumes: { name: string; secret: { secretName: string; defaultMode: number } }[];
      };
    };
  };
}

/** What `--emit k8s` prints, in the order kubectl should create it (the Secret before the pods that mount it). */
export type Manifest = SecretObject | ServiceObject | JobObject;
