import { dirname } from "node:path";

/** `dir` and every folder above it, up to the root: where Node and npm look for packages and manifests. */
export function* ancestors(dir: string): Generator<string> {
  for (let at = dir; ; at = dirname(at)) {
    yield at;
    if (dirname(at) === at) return;
  }
}
