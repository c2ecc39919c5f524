/**
 * What tsmpirun and its agents use from the runtime (`@tsmpi/runtime/internal/wireup`): the
 * wire-up contract and the job's authentication. Not public API.
 */
export * from "./protocol.ts";
export { hostIdentity } from "./host-identity.ts";
export { encodeJobKey, newJobKey, curveServerOptions, ZapHandler, type JobKey, type Refusal } from "./auth.ts";
export { RendezvousServer, type RendezvousBinding, type RendezvousEvents } from "./server.ts";
