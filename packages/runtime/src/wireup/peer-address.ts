/**
 * What a rank publishes at wire-up so that others can reach it: its host identity and the
 * endpoints its receive socket is bound to. A peer on the same host uses the Unix socket (and
 * shared memory); a peer elsewhere uses tcp.
 */
export interface PeerAddress {
  /** hostIdentity() of the rank's process. */
  host: string;
  /** `ipc://` endpoint in the rank's job directory, when it bound one. */
  ipc?: string;
  /** `tcp://address:port`, when it bound one. */
  tcp?: string;
}

export function encodePeerAddress(address: PeerAddress): string {
  return JSON.stringify(address);
}

export function decodePeerAddress(text: string): PeerAddress {
  const parsed = JSON.parse(text) as Partial<PeerAddress>;
  if (typeof parsed.host !== "string" || (parsed.ipc === undefined && parsed.tcp === undefined)) {
    throw new Error(`not a peer address: ${text}`);
  }
  return parsed as PeerAddress;
}

/** How to reach `peer` from a process on `ownHost`: its Unix socket if it shares the host, else tcp. */
export function routeTo(ownHost: string, peer: PeerAddress): { endpoint: string; sameHost: boolean } | undefined {
  const sameHost = peer.host === ownHost;
  if (sameHost && peer.ipc !== undefined) return { endpoint: peer.ipc, sameHost };
  if (peer.tcp !== undefined) return { endpoint: peer.tcp, sameHost };
  return undefined;
}
