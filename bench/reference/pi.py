"""
mpi4py + numpy reference for bench/pi: programs/pi.ts's two methods in Python, the same algorithms
as bench/reference/pi.c, vectorised with numpy the way an mpi4py user would:

- darts: rank r throws evenPart(N, size, r) darts (programs/pi/split.ts) with its own mulberry32
  stream seeded as programs/pi/random.ts's streamFor(seed, r). mulberry32's state only advances by a
  constant, so the k-th state is seed + k * 0x6D2B79F5 (mod 2^32): a chunk of states is one numpy
  uint32 expression and the output mix is uint32 array arithmetic (wrapping like Math.imul). x, y
  are consecutive draws; a hit is x*x + y*y < 1 in float64 (two roundings, as in JavaScript). Chunks
  bound the memory and keep it in cache. The hit counts are summed on rank 0 with lowercase comm.reduce: the same count
  as pi.ts, to the dart.
- series: pi = 4 * sum_{i=0..N} (-1)^i / (2i+1) over rank r's evenPart(N + 1, size, r) indices,
  smallest terms first, in chunks from the top; each chunk's terms are summed in order with
  np.add.accumulate (a running sum, as programs/pi/series.ts's loop: the same bits per rank; np.sum
  would add pairwise), the chunk's first term carrying the sum so far. Partial sums are combined
  with lowercase comm.allreduce (its order is mpi4py's: the last bits may differ at n > 1).

Timing as pi.ts: a barrier, then the clock runs until the result is on rank 0. Rank 0 prints
pi.ts's own lines ("darts: ... hits H", "darts: pi ~ E ... time T s", "series: ...") so that
bench/pi/output.ts reads every implementation the same way.

  mpirun --oversubscribe --bind-to none -n 4 /usr/bin/python3 bench/reference/pi.py --method=darts --n=10000000 --seed=20261124
"""
import math
import sys

import numpy as np
from mpi4py import MPI

args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
method, n, seed = args.get("method", "both"), int(args.get("n", "10000000")), int(args.get("seed", "20261124"))
if method not in ("darts", "series", "both") or n < 1:
    raise SystemExit("usage: pi.py [--method=darts|series|both] [--n=N] [--seed=S]")

# Darts per chunk: small enough that the chunk's arrays stay in cache; every operation writes into
# preallocated buffers (`out=`), 2-3x faster than numpy's temporaries on this kind of loop.
CHUNK = 1 << 16
GOLDEN = 0x6D2B79F5
MASK = 0xFFFFFFFF


def even_part(count, parts, index):
    """programs/pi/split.ts evenPart: (start, count), the first count % parts parts one longer."""
    base, extra = divmod(count, parts)
    return index * base + min(index, extra), base + (1 if index < extra else 0)


def stream_seed(seed, stream):
    """streamFor(seed, id)'s initial state; `seed ^ ...` in JavaScript takes the seed mod 2^32."""
    return (((seed & MASK) ^ 0x9E3779B9) * 0x85EBCA6B ^ (stream + 1) * 0xC2B2AE35) & MASK


# The states' offsets from a chunk's base: k * GOLDEN for k = 1..2 * CHUNK (uint32, wrapping).
STEPS = np.arange(1, 2 * CHUNK + 1, dtype=np.uint32) * np.uint32(GOLDEN)


def count_hits(state, darts):
    """programs/pi/darts.ts countHits over mulberry32(state), CHUNK darts (2 * CHUNK draws) at a time."""
    hits = 0
    s, t, w = (np.empty(2 * CHUNK, dtype=np.uint32) for _ in range(3))
    u = np.empty(2 * CHUNK)
    for done in range(0, darts, CHUNK):
        k = 2 * min(CHUNK, darts - done)
        sk, tk, wk, uk = s[:k], t[:k], w[:k], u[:k]
        # The states: `state` advanced 2 * done draws, then 1..k more.
        np.add(STEPS[:k], np.uint32((state + 2 * done * GOLDEN) & MASK), out=sk)
        # t = (s ^ (s >>> 15)) * (1 | s)
        np.right_shift(sk, 15, out=tk)
        np.bitwise_xor(tk, sk, out=tk)
        np.bitwise_or(sk, 1, out=wk)
        np.multiply(tk, wk, out=tk)
        # t = (t + (t ^ (t >>> 7)) * (61 | t)) ^ t
        np.right_shift(tk, 7, out=wk)
        np.bitwise_xor(wk, tk, out=wk)
        np.bitwise_or(tk, 61, out=sk)
        np.multiply(wk, sk, out=wk)
        np.add(wk, tk, out=wk)
        np.bitwise_xor(wk, tk, out=tk)
        # (t ^ (t >>> 14)) / 2^32, then x*x + y*y < 1 over consecutive pairs
        np.right_shift(tk, 14, out=wk)
        np.bitwise_xor(tk, wk, out=tk)
        np.divide(tk, 4294967296.0, out=uk)
        np.multiply(uk, uk, out=uk)
        squares = uk[0::2]
        squares += uk[1::2]
        hits += int(np.count_nonzero(squares < 1.0))
    return hits


# 2k for k = 0..CHUNK-1 (float64, exact), and the signs from an even top index (+1, -1, ...) or an odd one.
TWICE = 2.0 * np.arange(CHUNK)
SIGNS = (np.where(np.arange(CHUNK) % 2 == 0, 1.0, -1.0), np.where(np.arange(CHUNK) % 2 == 0, -1.0, 1.0))


def series_part(start, stop):
    """programs/pi/series.ts seriesPart: sum_{i=start}^{stop-1} (-1)^i / (2i+1), smallest terms first."""
    total = 0.0
    denominators, terms = np.empty(CHUNK), np.empty(CHUNK)
    top = stop
    while top > start:
        k = min(CHUNK, top - start)
        # i = top-1, top-2, ...: denominators 2i+1 (integers below 2^53: exact), signs (-1)^i.
        np.subtract(2.0 * (top - 1) + 1, TWICE[:k], out=denominators[:k])
        np.divide(SIGNS[(top - 1) % 2][:k], denominators[:k], out=terms[:k])
        terms[0] += total
        total = float(np.add.accumulate(terms[:k], out=terms[:k])[-1])
        top -= k
    return total


comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
ranks = "rank" if size == 1 else "ranks"

if method != "series":
    comm.Barrier()
    t0 = MPI.Wtime()
    hits = comm.reduce(count_hits(stream_seed(seed, rank), even_part(n, size, rank)[1]), op=MPI.SUM, root=0)
    if rank == 0:
        seconds = MPI.Wtime() - t0
        estimate = 4 * hits / n
        sigma = 4 * math.sqrt(math.pi / 4 * (1 - math.pi / 4) / n)
        print(f"darts: {n} darts on {size} {ranks}, seed {seed}, one stream per rank, hits {hits}")
        print(f"darts: pi ~ {estimate!r}  error {estimate - math.pi:.3e}  sigma {sigma:.2e}  time {seconds:.6f} s", flush=True)

if method != "darts":
    comm.Barrier()
    t0 = MPI.Wtime()
    start, count = even_part(n + 1, size, rank)
    total = comm.allreduce(series_part(start, start + count), op=MPI.SUM)
    if rank == 0:
        seconds = MPI.Wtime() - t0
        estimate = 4 * total
        print(f"series: i = 0..{n} on {size} {ranks}")
        print(f"series: pi ~ {estimate!r}  error {estimate - math.pi:.3e}  time {seconds:.6f} s", flush=True)
