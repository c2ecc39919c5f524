/**
 * Argument checks of the DArray calls. Each depends only on values every rank of the grid holds
 * identically (the grid, the shape, the ghost width), so a bad call throws the same TsmpiError on
 * every rank before anything is sent and no collective is left half done.
 * Internal to the runtime, not part of its API.
 */
import { TYPED_ARRAY_CLASSES } from "../wire/typed-array.ts";
import { Comm } from "../comm/comm.ts";
import { CartComm } from "../comm/cart-comm.ts";
import { badArgument, invalidArguments, rankOutOfRange, TsmpiError, wrongCommunicator } from "../errors.ts";
import { smallestBlock } from "./layout.ts";
import type { DArrayKind, DArrayTypedArray } from "./types.ts";

const KINDS: readonly DArrayKind<DArrayTypedArray>[] = TYPED_ARRAY_CLASSES;

export function checkCart(cart: unknown, call: string): asserts cart is CartComm {
  if (cart instanceof CartComm) return;
  const rank = cart instanceof Comm ? cart.rank : undefined;
  throw wrongCommunicator(
    { rank, call },
    "a DArray is distributed over a Cartesian communicator: pass the CartComm from comm.createCart(dims, periods)",
    "cart",
    cart,
  );
}

/** The typed array class `kind` if it is one a DArray holds. */
export function checkKind<A extends DArrayTypedArray>(kind: unknown, rank: number, call: string, argument: string): DArrayKind<A> {
  if (KINDS.includes(kind as DArrayKind<DArrayTypedArray>)) return kind as DArrayKind<A>;
  // A Buffer is a Uint8Array subclass; anything derived from a known kind is stored as that kind.
  const base = KINDS.find((k) => typeof kind === "function" && kind.prototype instanceof k);
  if (base !== undefined) return base as DArrayKind<A>;
  throw badArgument({ rank, call }, argument, kind, `a typed array class (${KINDS.map((k) => k.name).join(", ")})`);
}

/** The global shape as a plain array, one extent per grid dimension. */
export function checkShape(cart: CartComm, globalShape: unknown, call: string): number[] {
  const rank = cart.rank;
  if (!Array.isArray(globalShape) || globalShape.length === 0) {
    throw badArgument({ rank, call }, "globalShape", globalShape, "a non-empty array of integers >= 0, one per dimension");
  }
  globalShape.forEach((n: unknown, d) => {
    if (!Number.isSafeInteger(n) || (n as number) < 0) {
      throw badArgument({ rank, call }, `globalShape[${d}]`, n, "an integer >= 0");
    }
  });
  if (globalShape.length !== cart.ndims) {
    throw invalidArguments(
      { rank, call },
      `the array has ${globalShape.length} dimension${globalShape.length === 1 ? "" : "s"} ([${globalShape.join(", ")}]) but the process grid has ${cart.ndims} (dims [${cart.dims.join(", ")}]); ` +
        "make the grid with one dimension per array dimension (extent 1 for a dimension that is not split)",
      "globalShape",
    );
  }
  return [...(globalShape as number[])];
}

export function checkGhost(cart: CartComm, globalShape: readonly number[], ghost: unknown, call: string): number {
  const rank = cart.rank;
  if (!Number.isSafeInteger(ghost) || (ghost as number) < 0) {
    throw badArgument({ rank, call }, "ghost", ghost, "an integer >= 0");
  }
  const width = ghost as number;
  for (let d = 0; d < globalShape.length; d++) {
    const parts = cart.dims[d]!;
    const exchanges = parts > 1 || cart.periods[d]!;
    const smallest = smallestBlock(globalShape[d]!, parts);
    if (exchanges && width > smallest) {
      throw invalidArguments(
        { rank, call },
        `ghost ${width} is wider than the smallest block along dimension ${d} (${globalShape[d]} elements over ${parts} process${parts === 1 ? "" : "es"}: ` +
          `${smallest}); a ghost layer is filled from the next block only, so it must be at most ${smallest}`,
        "ghost",
        width,
      );
    }
  }
  return width;
}

export function checkRoot(cart: CartComm, root: unknown, call: string): number {
  if (!Number.isInteger(root) || (root as number) < 0 || (root as number) >= cart.size) {
    throw rankOutOfRange({ rank: cart.rank, call }, "root", root, cart.size);
  }
  return root as number;
}

export function checkFunction(fn: unknown, rank: number, call: string, argument: string): void {
  if (typeof fn !== "function") throw badArgument({ rank, call }, argument, fn, "a function");
}
