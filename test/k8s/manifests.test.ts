/**
 * `tsmpirun --emit k8s`, offline: no cluster can exist here, so the real CLI's output is checked
 * against the Kubernetes schemas (kubernetes-models' validate()) and, field by field, against what
 * the job needs to run with no operator, no API access and no RBAC. The expected objects are typed
 * with kubernetes-models' interfaces, so a misspelt field in them fails the typecheck, and toEqual
 * then fails on the same misspelling in the generator (validate() allows unknown fields).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Job, type IJob } from "kubernetes-models/batch/v1";
import { Secret, Service, type ISecret, type IService } from "kubernetes-models/v1";
import { afterAll, describe, expect, test } from "vitest";
import { fixture, repoRoot } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const usageHint = "Try 'tsmpirun --help' for usage.";
const IMAGE = "registry.example/tsmpi-job:1.0";
/** 40 characters of the Z85 alphabet: a CURVE key as zmq.curveKeyPair() gives it. */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

interface Emitted {
  header: string[];
  documents: Record<string, unknown>[];
}

/**
 * The output is JSON documents in a YAML stream: a comment, then documents after `---` lines.
 * No YAML parser is installed in the workspace, and JSON.parse reads each document as kubectl would.
 */
function parseStream(stdout: string): Emitted {
  const [header = "", ...documents] = stdout.split(/^---$/m);
  return {
    header: header.trimEnd().split("\n"),
    documents: documents.map((text) => JSON.parse(text) as Record<string, unknown>),
  };
}

async function emit(args: readonly string[]): Promise<Emitted> {
  const run = await runTsmpirun(["--emit", "k8s", ...args]);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  expect(run.tmpLeftovers).toEqual([]);
  return parseStream(run.stdout);
}

function byKind(emitted: Emitted): { secret: ISecret; service: IService; job: IJob } {
  const [secret, service, job] = emitted.documents;
  return { secret: secret as unknown as ISecret, service: service as unknown as IService, job: job as unknown as IJob };
}

function envOf(job: IJob): Map<string, unknown> {
  const container = job.spec?.template.spec?.containers[0];
  return new Map((container?.env ?? []).map((variable) => [variable.name, variable.value ?? variable.valueFrom]));
}

function keyOf(secret: ISecret): { publicKey: string; secretKey: string } {
  return JSON.parse(secret.stringData?.key ?? "") as { publicKey: string; secretKey: string };
}

describe("tsmpirun --emit k8s", () => {
  const standard = ["--name", "heat", "-n", "4", "--image", IMAGE, fixture("env"), "--nx", "10"];

  test("prints a Secret, a headless Service and an Indexed Job, each valid against the Kubernetes schema", async () => {
    const emitted = await emit(standard);
    expect(emitted.documents.map((document) => `${document.apiVersion}/${document.kind}`)).toEqual([
      "v1/Secret",
      "v1/Service",
      "batch/v1/Job",
    ]);
    const { secret, service, job } = byKind(emitted);
    // validate() throws with the schema's complaint (a wrong type, a bad enum value, a missing field).
    expect(() => new Secret(secret).validate()).not.toThrow();
    expect(() => new Service(service).validate()).not.toThrow();
    expect(() => new Job(job).validate()).not.toThrow();
  });

  test("needs no API access: no RBAC object or ServiceAccount, and no token in the pods", async () => {
    const emitted = await emit(standard);
    for (const document of emitted.documents) {
      expect(String(document.apiVersion)).not.toContain("rbac.authorization.k8s.io");
      expect(["ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]).not.toContain(document.kind);
    }
    const { job } = byKind(emitted);
    expect(job.spec?.template.spec?.automountServiceAccountToken).toBe(false);
    expect(job.spec?.template.spec?.serviceAccountName).toBeUndefined();
  });

  test("the header is a YAML comment that says how to apply, follow and delete the job, and what the image needs", async () => {
    const { header } = await emit(standard);
    for (const line of header) expect(line).toMatch(/^#( |$)/);
    const text = header.join("\n");
    expect(text).toContain("kubectl apply -f -");
    expect(text).toContain("kubectl logs -f --prefix --max-log-requests 5 -l job-name=heat");
    expect(text).toContain("kubectl delete job/heat service/heat secret/heat-key");
    expect(text).toContain(`must hold the project at ${repoRoot}`);
  });

  test("the Secret holds a fresh CURVE key pair as JSON", async () => {
    const { secret } = byKind(await emit(standard));
    const expected: ISecret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "heat-key" },
      type: "Opaque",
      stringData: { key: expect.any(String) as string },
    };
    expect(secret).toEqual(expected);
    const key = keyOf(secret);
    expect(Object.keys(key).sort()).toEqual(["publicKey", "secretKey"]);
    expect(key.publicKey).toMatch(Z85_KEY);
    expect(key.secretKey).toMatch(Z85_KEY);
  });

  test("the Service is headless, publishes pods before they are ready and selects the Job's pods", async () => {
    const { service } = byKind(await emit(standard));
    const expected: IService = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "heat" },
      spec: {
        clusterIP: "None",
        publishNotReadyAddresses: true,
        // The label the Job controller puts on every pod of Job "heat".
        selector: { "job-name": "heat" },
        ports: [{ name: "rendezvous", port: 7777, targetPort: 7777, protocol: "TCP" }],
      },
    };
    expect(service).toEqual(expected);
  });

  test("the Job is Indexed, N pods at once, never retried, failed by any non-zero exit, in the Service's subdomain", async () => {
    const { job } = byKind(await emit(standard));
    const expected: IJob = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "heat" },
      spec: {
        completionMode: "Indexed",
        completions: 4,
        parallelism: 4,
        backoffLimit: 0,
        podFailurePolicy: {
          rules: [{ action: "FailJob", onExitCodes: { containerName: "rank", operator: "NotIn", values: [0] } }],
        },
        template: {
          spec: {
            subdomain: "heat",
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            containers: [
              {
                name: "rank",
                image: IMAGE,
                // The directory of the nearest package.json above the program, the program relative to it.
                workingDir: repoRoot,
                command: ["npx", "--no-install", "tsmpirun", "--as-rank", "test/fixtures/env.ts", "--nx", "10"],
                env: [
                  { name: "TSMPI_SIZE", value: "4" },
                  { name: "TSMPI_RANK_FROM", value: "JOB_COMPLETION_INDEX" },
                  { name: "TSMPI_RENDEZVOUS", value: "tcp://heat-0.heat:7777" },
                  { name: "TSMPI_WIREUP", value: "rank0" },
                  { name: "TSMPI_BIND_ADDRESS", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                  { name: "TSMPI_KEY_FILE", value: "/var/run/tsmpi/key" },
                  { name: "TSMPI_JOB_ID", value: expect.stringMatching(/^heat-[0-9a-f]{8}$/) as string },
                ],
                volumeMounts: [{ name: "tsmpi-key", mountPath: "/var/run/tsmpi", readOnly: true }],
              },
            ],
            volumes: [{ name: "tsmpi-key", secret: { secretName: "heat-key", defaultMode: 0o400 } }],
          },
        },
      },
    };
    expect(job).toEqual(expected);
  });

  test("two runs get different keys and job ids", async () => {
    const [first, second] = await Promise.all([emit(standard), emit(standard)]);
    const [a, b] = [byKind(first!), byKind(second!)];
    expect(keyOf(a.secret).secretKey).not.toBe(keyOf(b.secret).secretKey);
    expect(keyOf(a.secret).publicKey).not.toBe(keyOf(b.secret).publicKey);
    expect(envOf(a.job).get("TSMPI_JOB_ID")).not.toBe(envOf(b.job).get("TSMPI_JOB_ID"));
  });

  test("--port sets the Service's port and the rendezvous address; -n sets size, completions and parallelism", async () => {
    const { service, job } = byKind(await emit(["--name", "pi", "-n", "7", "--port", "9000", "--image", IMAGE, fixture("env")]));
    expect(service.spec?.ports).toEqual([{ name: "rendezvous", port: 9000, targetPort: 9000, protocol: "TCP" }]);
    expect(envOf(job).get("TSMPI_RENDEZVOUS")).toBe("tcp://pi-0.pi:9000");
    expect(envOf(job).get("TSMPI_SIZE")).toBe("7");
    expect([job.spec?.completions, job.spec?.parallelism]).toEqual([7, 7]);
  });

  describe("a program in a project of its own", () => {
    const project = mkdtempSync(join(tmpdir(), "tsmpi-k8s-project-"));
    afterAll(() => rmSync(project, { recursive: true, force: true }));

    test("the working directory is the nearest package.json's directory and the program is relative to it", async () => {
      writeFileSync(join(project, "package.json"), '{ "name": "solver", "type": "module" }\n');
      mkdirSync(join(project, "src", "bin"), { recursive: true });
      writeFileSync(join(project, "src", "bin", "solve.ts"), "console.log('solving');\n");
      const { job } = byKind(await emit(["--name", "solve", "-n", "1", "--image", IMAGE, join(project, "src/bin/solve.ts"), "-v"]));
      const container = job.spec?.template.spec?.containers[0];
      expect(container?.workingDir).toBe(project);
      expect(container?.command).toEqual(["npx", "--no-install", "tsmpirun", "--as-rank", "src/bin/solve.ts", "-v"]);
    });
  });

  test("a name of 52 characters is accepted", async () => {
    const name = `a${"b".repeat(50)}c`;
    const { job, secret } = byKind(await emit(["--name", name, "-n", "2", "--image", IMAGE, fixture("env")]));
    expect(job.metadata?.name).toBe(name);
    expect(secret.metadata?.name).toBe(`${name}-key`);
  });

  test.each([
    [["--name", "Heat", "-n", "4", "--image", IMAGE], '--name must be a DNS label of at most 52 characters (lowercase letters, digits and "-", starting with a letter, not ending with "-"), got "Heat"'],
    [["--name", "heat_1", "-n", "4", "--image", IMAGE], '--name must be a DNS label of at most 52 characters'],
    [["--name", "heat-", "-n", "4", "--image", IMAGE], '--name must be a DNS label'],
    [["--name", "1heat", "-n", "4", "--image", IMAGE], '--name must be a DNS label'],
    [["--name", "a".repeat(53), "-n", "4", "--image", IMAGE], '--name must be a DNS label of at most 52 characters'],
    [["--name", "", "-n", "4", "--image", IMAGE], "--emit k8s needs --name NAME"],
    [["-n", "4", "--image", IMAGE], "--emit k8s needs --name NAME"],
    [["--name", "heat", "-n", "4"], "--emit k8s needs --image IMAGE"],
    [["--name", "heat", "-n", "4", "--image", ""], "--emit k8s needs --image IMAGE"],
    [["--name", "heat", "-n", "0", "--image", IMAGE], "-n/--np must be a positive integer, got 0"],
    [["--name", "heat", "-n", "-3", "--image", IMAGE], "-n/--np must be a positive integer, got -3"],
    [["--name", "heat", "-n", "100001", "--image", IMAGE], "-n/--np can be at most 100000 with --emit k8s"],
    [["--name", "heat", "--image", IMAGE], "--emit k8s needs -n N"],
    [["--name", "heat", "-n", "4", "--image", IMAGE, "--port", "0"], "--port must be an integer from 1 to 65535, got 0"],
    [["--name", "heat", "-n", "4", "--image", IMAGE, "--port", "65536"], "--port must be an integer from 1 to 65535, got 65536"],
    [["--name", "heat", "-n", "4", "--image", IMAGE, "--timeout", "60"], "--timeout does not apply to --emit k8s"],
    [["--name", "heat", "-n", "4", "--image", IMAGE, "-x", "A=1"], "-x does not apply to --emit k8s"],
  ])("--emit k8s %j exits 2 with a one-line message naming the flag", async (args, message) => {
    const run = await runTsmpirun(["--emit", "k8s", ...args, fixture("env")]);
    expect(run.exitCode).toBe(2);
    const [line, hint, ...rest] = run.stderr.split("\n");
    expect(line).toContain(`tsmpirun: ${message}`);
    expect([hint, ...rest]).toEqual([usageHint, ""]);
    expect(run.stdout).toBe("");
  });

  test.each([
    [["--emit", "yaml", "--name", "heat", "-n", "2", "--image", IMAGE], "--emit must be one of k8s, got yaml"],
    [["--name", "heat", "-n", "2"], "--name needs --emit k8s"],
    [["-n", "2", "--image", IMAGE], "--image needs --emit k8s"],
    [["-n", "2", "--port", "7000"], "--port needs --emit k8s"],
  ])("%j exits 2 with a message", async (args, message) => {
    const run = await runTsmpirun([...args, fixture("env")]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`tsmpirun: ${message}\n${usageHint}`);
    expect(run.stdout).toBe("");
  });

  test("a program that does not exist exits 1 and prints no manifest", async () => {
    const run = await runTsmpirun(["--emit", "k8s", "--name", "heat", "-n", "2", "--image", IMAGE, "test/fixtures/no-such-program.ts"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('tsmpirun: cannot find the program "test/fixtures/no-such-program.ts"');
    expect(run.stdout).toBe("");
  });

  test("--help lists --emit, --name, --image and --port", async () => {
    const run = await runTsmpirun(["--help"]);
    expect(run.exitCode).toBe(0);
    for (const option of ["--emit k8s", "--name NAME", "--image IMAGE", "--port P"]) expect(run.stdout).toContain(option);
  });
});
