"""
mpi4py + numpy reference for bench/heat: programs/heat.ts's p2p variant in Python, the way an mpi4py
user writes it. 2-D heat equation, explicit 5-point stencil (issue 4's constants and initial field),
2-D block decomposition over Compute_dims + Create_cart (non-periodic); per step: uppercase Irecv of
the four halos into numpy buffers, Isend of the first and last interior rows and of the packed
columns, the update of the points that read no ghost (numpy slicing), Waitall, unpack, the strips.

Timing and output as bench/reference/heat.c: `warmup` steps, then `reps` samples of `steps` steps
between barriers (ms per step, rank 0); the interior gathered to rank 0, its row-major sequential
sum and the SHA-256 of its float64 bytes; one JSON line.

  mpirun --oversubscribe --bind-to none -n 4 /usr/bin/python3 bench/reference/heat.py --nx=256 --ny=256 --warmup=5 --steps=20 --reps=3
"""
import hashlib
import json
import sys

import numpy as np
from mpi4py import MPI

args = {k: int(v) for k, v in (a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)}
nx, ny = args.get("nx", 2048), args.get("ny", 2048)
warmup, steps, reps = args.get("warmup", 5), args.get("steps", 20), args.get("reps", 3)

DX, DY, A = 0.01, 0.01, 0.5
DX2, DY2 = DX * DX, DY * DY
DT = (DX2 * DY2) / (2 * A * (DX2 + DY2))
ADT = A * DT  # the spec's a*dt*(...) groups left to right: (a*dt) first, as in C and TypeScript

TAG_DOWN, TAG_UP, TAG_RIGHT, TAG_LEFT = 101, 102, 103, 104


def split1d(n, parts, index):
    base, extra = divmod(n, parts)
    return index * base + min(index, extra), base + (1 if index < extra else 0)


def initial_block(row0, col0, nrows, ncols):
    """The initial field on global rows row0-1..row0+nrows, columns col0-1..col0+ncols (0-based)."""
    i = np.arange(row0 - 1, row0 + nrows + 1, dtype=np.float64)[:, None] + 1  # 1-based
    j = np.arange(col0 - 1, col0 + ncols + 1, dtype=np.float64)[None, :] + 1
    u = np.where((i - nx / 2) ** 2 + (j - ny / 2) ** 2 < (nx / 6) ** 2, 5.0, 65.0)
    # ** 2 on float64 is an exact square here (small integers and halves), like di * di.
    u = np.ascontiguousarray(u)
    u[:, j[0] == 1] = 20.0
    u[:, j[0] == ny + 2] = 70.0
    u[i[:, 0] == 1, :] = 85.0
    u[i[:, 0] == nx + 2, :] = 5.0
    return u


def update(u, new, r0, r1, c0, c1):
    """new[r0:r1, c0:c1] from u: stencil.ts's updateRect, term for term."""
    if r0 >= r1 or c0 >= c1:
        return
    c = u[r0:r1, c0:c1]
    xderiv = (u[r0 - 1 : r1 - 1, c0:c1] - 2.0 * c + u[r0 + 1 : r1 + 1, c0:c1]) / DX2
    yderiv = (u[r0:r1, c0 - 1 : c1 - 1] - 2.0 * c + u[r0:r1, c0 + 1 : c1 + 1]) / DY2
    new[r0:r1, c0:c1] = c + ADT * (xderiv + yderiv)


world = MPI.COMM_WORLD
dims = MPI.Compute_dims(world.Get_size(), 2)
cart = world.Create_cart(dims, periods=[False, False], reorder=False)
rank, size = cart.Get_rank(), cart.Get_size()
coords = cart.Get_coords(rank)
up, down = cart.Shift(0, 1)
left, right = cart.Shift(1, 1)
row0, nrows = split1d(nx, dims[0], coords[0])
col0, ncols = split1d(ny, dims[1], coords[1])
row0, col0 = row0 + 1, col0 + 1

u = initial_block(row0, col0, nrows, ncols)
new = u.copy()
send_left, send_right = np.empty(nrows), np.empty(nrows)
recv_left, recv_right = np.empty(nrows), np.empty(nrows)


def step(u, new):
    reqs = [
        cart.Irecv(u[0, 1 : ncols + 1], source=up, tag=TAG_DOWN) if up != MPI.PROC_NULL else None,
        cart.Irecv(u[nrows + 1, 1 : ncols + 1], source=down, tag=TAG_UP) if down != MPI.PROC_NULL else None,
        cart.Irecv(recv_left, source=left, tag=TAG_RIGHT),
        cart.Irecv(recv_right, source=right, tag=TAG_LEFT),
        cart.Isend(u[1, 1 : ncols + 1], dest=up, tag=TAG_UP),
        cart.Isend(u[nrows, 1 : ncols + 1], dest=down, tag=TAG_DOWN),
    ]
    send_left[:] = u[1 : nrows + 1, 1]
    send_right[:] = u[1 : nrows + 1, ncols]
    reqs += [cart.Isend(send_left, dest=left, tag=TAG_LEFT), cart.Isend(send_right, dest=right, tag=TAG_RIGHT)]
    update(u, new, 2, nrows, 2, ncols)
    MPI.Request.Waitall([r for r in reqs if r is not None])
    if left != MPI.PROC_NULL:
        u[1 : nrows + 1, 0] = recv_left
    if right != MPI.PROC_NULL:
        u[1 : nrows + 1, ncols + 1] = recv_right
    update(u, new, 1, 2, 1, ncols + 1)
    if nrows > 1:
        update(u, new, nrows, nrows + 1, 1, ncols + 1)
    update(u, new, 2, nrows, 1, 2)
    if ncols > 1:
        update(u, new, 2, nrows, ncols, ncols + 1)


samples = []
for sample in range(-1, reps):
    count = warmup if sample < 0 else steps
    cart.Barrier()
    t0 = MPI.Wtime()
    for _ in range(count):
        step(u, new)
        u, new = new, u
    cart.Barrier()
    if sample >= 0:
        samples.append((MPI.Wtime() - t0) * 1000 / max(steps, 1))

mine = np.ascontiguousarray(u[1 : nrows + 1, 1 : ncols + 1])
counts = cart.gather(mine.size, root=0)
gathered = np.empty(sum(counts)) if rank == 0 else None
cart.Gatherv(mine, [gathered, counts] if rank == 0 else None, root=0)
if rank == 0:
    interior = np.empty((nx, ny))
    offset = 0
    for r in range(size):
        rc = cart.Get_coords(r)
        rr0, rn = split1d(nx, dims[0], rc[0])
        cc0, cn = split1d(ny, dims[1], rc[1])
        interior[rr0 : rr0 + rn, cc0 : cc0 + cn] = gathered[offset : offset + rn * cn].reshape(rn, cn)
        offset += rn * cn
    flat = interior.ravel()
    # Sequential, left to right, like the TypeScript and C loops (np.sum is pairwise: other bits).
    total = float(np.add.accumulate(flat)[-1])
    sha = hashlib.sha256(flat.astype("<f8").tobytes()).hexdigest()
    print(
        json.dumps(
            {
                "impl": "mpi4py",
                "np": size,
                "dims": f"{dims[0]}x{dims[1]}",
                "nx": nx,
                "ny": ny,
                "warmup": warmup,
                "steps": steps,
                "reps": reps,
                "total_steps": warmup + reps * steps,
                "ms_per_step": samples,
                "sum": total,
                "sha256": sha,
            }
        ),
        flush=True,
    )
