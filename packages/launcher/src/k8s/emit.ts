/**
 * `tsmpirun --emit k8s`: the manifests of a job as text, with a fresh key and job id. Checks only
 * what can be checked here (the program exists and has a project around it); no rank is started.
 */
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { curveKeyPair } from "zeromq";
import { manifestHeader } from "./header.ts";
import { jobManifests } from "./manifests.ts";
import { projectDirectory } from "./project.ts";
import { yamlStream } from "./yaml.ts";

/** A job to write manifests for; the command line has checked name, np, image and port. */
export interface EmitKubernetesOptions {
  name: string;
  np: number;
  image: string;
  port: number;
  /** As given on the command line, relative to `cwd`. */
  program: string;
  args: readonly string[];
  /** tsmpirun's version, for the header. */
  version: string;
  /** Base of a relative `program`. Default `process.cwd()`. */
  cwd?: string;
}

/** The YAML stream, or why there is none (a one-line message, for exit status 1). */
export type EmitResult = { ok: true; text: string } | { ok: false; message: string };

/** Writes the Secret, Service and Job of a job (see manifests.ts) under a comment on how to use them. */
export async function emitKubernetesManifests(options: EmitKubernetesOptions): Promise<EmitResult> {
  const { name, np, image, port, args, version } = options;
  const program = resolve(options.cwd ?? process.cwd(), options.program);
  // The same check as a local launch: a typo should fail here, not in N pods on a cluster.
  if (!(await stat(program).catch(() => undefined))?.isFile()) {
    return { ok: false, message: `cannot find the program "${options.program}" (looked for ${program}); no manifests were written` };
  }
  const projectDir = projectDirectory(program);
  if (projectDir === undefined) {
    return { ok: false, message: `no package.json above ${program}: --emit k8s needs the program's project directory; no manifests were written` };
  }
  // Relative to the working directory, so the command line reads as the project's own.
  const inProject = relative(projectDir, program).split(sep).join("/");
  const jobId = `${name}-${randomBytes(4).toString("hex")}`;
  const documents = jobManifests({ name, np, image, port, projectDir, program: inProject, args, keyPair: curveKeyPair(), jobId });
  const header = manifestHeader({ name, np, image, projectDir, program: inProject, version });
  return { ok: true, text: yamlStream(header, documents) };
}
