"""mpi4py reference for bench/collectives, two ways per collective, measured back to back:

- "mpi4py": lowercase, pickled objects: comm.allreduce(np_array, op=SUM), comm.bcast(np_array or None),
  comm.barrier();
- "mpi4py-buf": uppercase, numpy buffers: comm.Allreduce(send, recv, op=SUM), comm.Bcast(buf),
  comm.Barrier().

Same iteration scheme as bench/collectives/tsmpi-collectives.ts and bench/reference/collectives.c (see
bench/collectives/plan.ts): per case `warmup` calls, then `reps` samples, each a barrier and `iterations`
timed calls; a sample is the mean time per call, the maximum over ranks. One more call afterwards is
checked against the closed form. Rank 0 prints one JSON line per case and API on stdout.

Run with Debian's python (mpi4py is installed for it, not for a pyenv one):
  mpirun --allow-run-as-root --oversubscribe --bind-to none -n 4 /usr/bin/python3 \
    bench/reference/collectives.py --cases=allreduce:1:10:100,bcast:131072:2:10 --reps=5
"""
import json
import os
import sys


def parse_args(argv):
    cases, reps, pin, apis = None, 5, "none", ["mpi4py", "mpi4py-buf"]
    for a in argv:
        if a.startswith("--cases="):
            cases = []
            for tok in a[len("--cases="):].split(","):
                op, count, warmup, iterations = tok.split(":")
                if op not in ("allreduce", "bcast", "barrier"):
                    raise SystemExit(f"collectives.py: bad case {tok!r}")
                cases.append((op, int(count), int(warmup), int(iterations)))
        elif a.startswith("--reps="):
            reps = int(a[len("--reps="):])
        elif a.startswith("--pin="):
            pin = a[len("--pin="):]
        elif a.startswith("--apis="):
            apis = a[len("--apis="):].split(",")
    if cases is None:
        raise SystemExit("usage: collectives.py --cases=op:count:warmup:iterations,... [--reps=N] [--pin=none|spread|same]")
    return cases, reps, pin, apis


CASES, REPS, PIN, APIS = parse_args(sys.argv[1:])

# Pin before mpi4py and numpy start any thread, so that every thread inherits the mask.
if PIN != "none" and "OMPI_COMM_WORLD_RANK" in os.environ:
    cpu = 0 if PIN == "same" else int(os.environ["OMPI_COMM_WORLD_RANK"]) % os.cpu_count()
    os.sched_setaffinity(0, {cpu})

import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()


def contribution(count):
    # Integers, so the sum is exact in any order: x[i] = rank + 1 + (i & 7).
    return (rank + 1 + (np.arange(count) & 7)).astype(np.float64)


def expected_sum(count):
    return (size * (size + 1) / 2 + size * (np.arange(count) & 7)).astype(np.float64)


def pattern(count):
    return (np.arange(count) % 251).astype(np.float64) + 0.5


def make_call(api, op, count):
    """Returns (call, check): call() does one collective; check() does one more and verifies it."""
    if op == "allreduce":
        send = contribution(count)
        if api == "mpi4py":
            call = lambda: comm.allreduce(send, op=MPI.SUM)  # noqa: E731
            return call, lambda: np.array_equal(call(), expected_sum(count))
        recv = np.zeros(count)

        def check():
            recv[:] = 0
            comm.Allreduce(send, recv, op=MPI.SUM)
            return np.array_equal(recv, expected_sum(count))

        return (lambda: comm.Allreduce(send, recv, op=MPI.SUM)), check
    if op == "bcast":
        buf = pattern(count) if rank == 0 else np.zeros(count)
        if api == "mpi4py":
            call = lambda: comm.bcast(buf if rank == 0 else None, root=0)  # noqa: E731
            return call, lambda: np.array_equal(call(), pattern(count))

        def check():
            if rank != 0:
                buf[:] = 0
            comm.Bcast(buf, root=0)
            return np.array_equal(buf, pattern(count))

        return (lambda: comm.Bcast(buf, root=0)), check
    call = comm.barrier if api == "mpi4py" else comm.Barrier
    return call, lambda: call() or True


def run_case(api, op, count, warmup, iterations):
    call, check = make_call(api, op, count)
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(REPS):
        comm.Barrier()
        t0 = MPI.Wtime()
        for _ in range(iterations):
            call()
        per_call = (MPI.Wtime() - t0) / iterations * 1e6
        samples.append(comm.allreduce(per_call, op=MPI.MAX))
    ok = comm.allreduce(bool(check()), op=MPI.LAND)
    if rank == 0:
        s = sorted(samples)
        median = float(np.median(s))
        print(json.dumps({
            "impl": api, "op": op, "count": count, "np": size, "warmup": warmup, "iterations": iterations,
            "pinned": PIN, "median_us": round(median, 3), "min_us": round(s[0], 3), "max_us": round(s[-1], 3),
            "samples_us": [round(x, 3) for x in samples], "check": "ok" if ok else "FAILED",
        }), flush=True)
        print(f"  {api} n={size} {op} {count}: {median:.1f} us{'' if ok else ' CHECK FAILED'}", file=sys.stderr, flush=True)


for op, count, warmup, iterations in CASES:
    # Lowercase then uppercase for each case, so that both see the machine in the same state.
    for api in APIS:
        run_case(api, op, count, warmup, iterations)
