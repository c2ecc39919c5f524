/** Which job names `--emit k8s` accepts. */

/**
 * At most 52 characters: the name is the prefix of every pod hostname, `NAME-INDEX`, which must be
 * a DNS label (63 characters at most) for the pod's DNS record; 52 leaves room for the index and
 * is the limit Kubernetes itself uses for names that get suffixes (CronJob).
 */
export const MAX_JOB_NAME_LENGTH = 52;

/**
 * A DNS-1123 label (lowercase letters, digits, `-`; a letter or digit at each end) that also starts
 * with a letter: the Service of the same name must be an RFC 1035 label, which cannot start with a
 * digit.
 */
const JOB_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot name a job, as a one-line CLI message, or undefined when it can. */
export function jobNameProblem(name: string): string | undefined {
  if (JOB_NAME.test(name) && name.length <= MAX_JOB_NAME_LENGTH) return undefined;
  return (
    `--name must be a DNS label of at most ${MAX_JOB_NAME_LENGTH} characters ` +
    `(lowercase letters, digits and "-", starting with a letter, not ending with "-"), got "${name}"`
  );
}
