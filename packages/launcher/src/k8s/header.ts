/** The comment at the top of `--emit k8s` output: what it is, what the image needs, how to use it. */

/** What the comment mentions. */
export interface HeaderOptions {
  name: string;
  np: number;
  image: string;
  projectDir: string;
  /** Relative to `projectDir`. */
  program: string;
  /** tsmpirun's version. */
  version: string;
}

/** The header's lines, without the `# ` that yamlStream adds. */
export function manifestHeader({ name, np, image, projectDir, program, version }: HeaderOptions): string[] {
  return [
    `tsmpi job "${name}": ${np} rank${np === 1 ? "" : "s"} of ${program}, written by tsmpirun ${version} --emit k8s.`,
    `A Secret (the job's key), a headless Service (the pods' DNS names ${name}-0.${name} ...) and an`,
    "Indexed Job (one pod per rank; rank 0 serves the rendezvous): no operator, no API access, no RBAC.",
    "",
    `The image ${image} must hold the project at ${projectDir}, the same path as here, with its`,
    "dependencies installed (tsmpi among them): each rank runs `npx --no-install tsmpirun --as-rank`",
    "in that directory. The key file is mode 0400 (defaultMode 256) and owned by root: an image that",
    "runs as another user needs defaultMode 0440 (288) and that user's group as the pod's fsGroup.",
    "",
    "Apply:   pipe this output to `kubectl apply -f -` (or save it and `kubectl apply -f FILE`)",
    `Logs:    kubectl logs -f --prefix --max-log-requests ${Math.max(np, 5)} -l job-name=${name}`,
    `Status:  kubectl get job/${name}; kubectl get pods -l job-name=${name}`,
    `Delete:  kubectl delete job/${name} service/${name} secret/${name}-key`,
    "",
    "The Secret holds this job's secret key: keep this output private. To run again, delete the job",
    "and apply a new --emit (a Job cannot be changed once created, and each run gets a new key).",
  ];
}
