/**
 * The one step every way of joining a job shares: publish this rank's address in the job's
 * key/value store, wait at the fence, read every rank's. The store is tsmpirun's rendezvous
 * (client.ts), rank 0's on Kubernetes (the same client), or Slurm's PMI-2 server (pmi2.ts): PMI's
 * put/fence/get is the common shape of all three, so nothing above this file knows which it is.
 */
import { decodePeerAddress, encodePeerAddress, type PeerAddress } from "./peer-address.ts";
import { endpointKey } from "./protocol.ts";

/** A job's key/value store with a fence, as a rank sees it (PMI-2's kvs-put, kvs-fence, kvs-get). */
export interface WireupStore {
  /** This rank, as the store numbers the job's ranks. */
  readonly rank: number;
  /** The number of ranks in the job. */
  readonly size: number;
  /** Publishes `value` under `key`; every rank can read it after the next {@link WireupStore.fence}. */
  put(key: string, value: string): Promise<void>;
  /** Resolves once every rank of the job has reached the fence. */
  fence(): Promise<void>;
  /** The value any rank put under `key` before the last fence; `undefined` if none did. */
  get(key: string): Promise<string | undefined>;
}

/**
 * Publishes `own` under this rank's endpoint key, waits for every rank to do the same, and returns
 * every rank's address, indexed by rank (this rank's own included).
 */
export async function exchangeAddresses(store: WireupStore, own: PeerAddress): Promise<PeerAddress[]> {
  await store.put(endpointKey(store.rank), encodePeerAddress(own));
  await store.fence();
  // Sequential: a PMI-2 client sends one request at a time anyway, and tsmpirun's answers from memory.
  const addresses: PeerAddress[] = [];
  for (let rank = 0; rank < store.size; rank++) {
    const published = await store.get(endpointKey(rank));
    if (published === undefined) throw new Error(`rank ${rank} published no endpoint`);
    addresses.push(decodePeerAddress(published));
  }
  return addresses;
}
