// Type-checked only (tsc -p . in test/package/install.test.ts), never run: what the shipped
// declarations must not offer a user. Each @ts-expect-error fails the check if its line compiles.
import { PersistentRequest, Request, type Comm } from "@tsmpi/runtime";

export function internalsStayInternal(comm: Comm): void {
  const request = comm.irecv(0);
  // @ts-expect-error a request's completion bookkeeping is the runtime's own
  void request.settled;
  // @ts-expect-error
  void request.settledValue;
  // @ts-expect-error
  request.deactivate();
  // @ts-expect-error
  void request.waitWithinGroup();
  // @ts-expect-error
  request.throwIfFailed();
  // @ts-expect-error
  request.begin(Promise.resolve());
  // @ts-expect-error requests come from the nonblocking calls
  void new Request(Promise.resolve(1));
  // @ts-expect-error persistent ones from sendInit and recvInit
  void new PersistentRequest({ rank: 0, call: "x" }, () => ({ promise: Promise.resolve() }));
  // What a user does have:
  void request.active;
  void request.status;
  void request.test();
  void request.cancel();
}
