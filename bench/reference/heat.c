/*
 * Open MPI reference for bench/heat: programs/heat.ts's p2p variant in C. 2-D heat equation, explicit
 * 5-point stencil (issue 4's constants and initial field), 2-D block decomposition over
 * MPI_Dims_create + MPI_Cart_create (non-periodic), per step: Irecv the four halos, Isend the first
 * and last interior rows (contiguous) and columns (packed), update the points that read no ghost,
 * Waitall, unpack the columns, update the strips next to the ghosts (as programs/heat/halo-p2p.ts).
 *
 * Timing as bench/heat/tsmpi-heat.ts: `warmup` steps, then `reps` samples, each a barrier,
 * `steps` steps and a barrier, timed on rank 0 (ms per step). Then the interior is gathered to
 * rank 0 and printed as programs/heat/checksum.ts does it: the plain row-major sum and a SHA-256 of
 * the Float64 values' bytes, so that the final fields can be compared bit for bit. One JSON line.
 *
 *   mpicc -O2 -o /tmp/heat bench/reference/heat.c
 *   mpirun --oversubscribe --bind-to none -n 4 /tmp/heat --nx=256 --ny=256 --warmup=5 --steps=20 --reps=3
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SHA-256 (FIPS 180-4), small and unoptimised: it runs once, on rank 0 ---- */
typedef struct {
  uint32_t h[8];
  uint8_t block[64];
  uint64_t bytes;
  size_t fill;
} Sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(Sha256 *s, const uint8_t *p) {
  uint32_t w[64], a, b, c, d, e, f, g, h;
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha_init(Sha256 *s) {
  static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, H0, sizeof H0);
  s->bytes = 0;
  s->fill = 0;
}

static void sha_update(Sha256 *s, const uint8_t *p, size_t n) {
  s->bytes += n;
  while (n > 0) {
    size_t take = 64 - s->fill < n ? 64 - s->fill : n;
    memcpy(s->block + s->fill, p, take);
    s->fill += take, p += take, n -= take;
    if (s->fill == 64) sha_block(s, s->block), s->fill = 0;
  }
}

static void sha_hex(Sha256 *s, char out[65]) {
  uint64_t bits = s->bytes * 8;
  uint8_t pad = 0x80, zero = 0, len[8];
  sha_update(s, &pad, 1);
  while (s->fill != 56) sha_update(s, &zero, 1);
  for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha_update(s, len, 8);
  for (int i = 0; i < 8; i++) sprintf(out + 8 * i, "%08x", s->h[i]);
}

/* ---- the model (programs/heat/model.ts, field.ts) ---- */
static const double DX = 0.01, DY = 0.01, A = 0.5;

/* 0-based global row 0..nx+1, column 0..ny+1; rows win at the corners. */
static double initial_value(long row, long col, long nx, long ny) {
  long i = row + 1, j = col + 1;
  if (i == 1) return 85.0;
  if (i == nx + 2) return 5.0;
  if (j == 1) return 20.0;
  if (j == ny + 2) return 70.0;
  double di = (double)i - (double)nx / 2, dj = (double)j - (double)ny / 2, r = (double)nx / 6;
  return di * di + dj * dj < r * r ? 5.0 : 65.0;
}

/* programs/heat/decompose.ts split1d: the first n % parts parts get one more. */
static void split1d(long n, int parts, int index, long *start, long *count) {
  long base = n / parts, extra = n % parts;
  *start = index * base + (index < extra ? index : extra);
  *count = base + (index < extra ? 1 : 0);
}

static double DX2, DY2, DT;

/* stencil.ts updateRect: the spec's formula term for term, so the rounding is the same. */
static void update_rect(const double *restrict u, double *restrict next, long width, long r0, long r1, long c0, long c1) {
  for (long i = r0; i < r1; i++) {
    for (long j = c0; j < c1; j++) {
      long p = i * width + j;
      double c = u[p];
      double xderiv = (u[p - width] - 2.0 * c + u[p + width]) / DX2;
      double yderiv = (u[p - 1] - 2.0 * c + u[p + 1]) / DY2;
      next[p] = c + A * DT * (xderiv + yderiv);
    }
  }
}

enum { TAG_DOWN = 101, TAG_UP = 102, TAG_RIGHT = 103, TAG_LEFT = 104 };

int main(int argc, char **argv) {
  long nx = 2048, ny = 2048, warmup = 5, steps = 20, reps = 3;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--nx=", 5) == 0) nx = atol(argv[i] + 5);
    else if (strncmp(argv[i], "--ny=", 5) == 0) ny = atol(argv[i] + 5);
    else if (strncmp(argv[i], "--warmup=", 9) == 0) warmup = atol(argv[i] + 9);
    else if (strncmp(argv[i], "--steps=", 8) == 0) steps = atol(argv[i] + 8);
    else if (strncmp(argv[i], "--reps=", 7) == 0) reps = atol(argv[i] + 7);
  }
  DX2 = DX * DX, DY2 = DY * DY, DT = (DX2 * DY2) / (2 * A * (DX2 + DY2));

  MPI_Init(&argc, &argv);
  int rank, size, dims[2] = {0, 0}, periods[2] = {0, 0}, coords[2];
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Dims_create(size, 2, dims);
  MPI_Comm cart;
  MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
  MPI_Comm_rank(cart, &rank);
  MPI_Cart_coords(cart, rank, 2, coords);
  int up, down, left, right;
  MPI_Cart_shift(cart, 0, 1, &up, &down);
  MPI_Cart_shift(cart, 1, 1, &left, &right);

  long row0, nrows, col0, ncols;
  split1d(nx, dims[0], coords[0], &row0, &nrows);
  split1d(ny, dims[1], coords[1], &col0, &ncols);
  row0 += 1, col0 += 1;
  long width = ncols + 2, cells = (nrows + 2) * width;
  double *u = malloc(cells * sizeof(double)), *next = malloc(cells * sizeof(double));
  for (long li = 0; li < nrows + 2; li++)
    for (long lj = 0; lj < width; lj++) u[li * width + lj] = next[li * width + lj] = initial_value(row0 - 1 + li, col0 - 1 + lj, nx, ny);
  double *send_left = malloc(nrows * sizeof(double)), *send_right = malloc(nrows * sizeof(double));
  double *recv_left = malloc(nrows * sizeof(double)), *recv_right = malloc(nrows * sizeof(double));

  long total = warmup + reps * steps;
  double *samples = malloc((reps > 0 ? reps : 1) * sizeof(double));
  long done = 0;
  for (long sample = -1; sample < reps; sample++) {
    long count = sample < 0 ? warmup : steps;
    MPI_Barrier(cart);
    double t0 = MPI_Wtime();
    for (long s = 0; s < count; s++, done++) {
      MPI_Request req[8];
      MPI_Irecv(u + 1, (int)ncols, MPI_DOUBLE, up, TAG_DOWN, cart, &req[0]);
      MPI_Irecv(u + (nrows + 1) * width + 1, (int)ncols, MPI_DOUBLE, down, TAG_UP, cart, &req[1]);
      MPI_Irecv(recv_left, (int)nrows, MPI_DOUBLE, left, TAG_RIGHT, cart, &req[2]);
      MPI_Irecv(recv_right, (int)nrows, MPI_DOUBLE, right, TAG_LEFT, cart, &req[3]);
      MPI_Isend(u + width + 1, (int)ncols, MPI_DOUBLE, up, TAG_UP, cart, &req[4]);
      MPI_Isend(u + nrows * width + 1, (int)ncols, MPI_DOUBLE, down, TAG_DOWN, cart, &req[5]);
      for (long i = 0; i < nrows; i++) send_left[i] = u[(i + 1) * width + 1], send_right[i] = u[(i + 1) * width + ncols];
      MPI_Isend(send_left, (int)nrows, MPI_DOUBLE, left, TAG_LEFT, cart, &req[6]);
      MPI_Isend(send_right, (int)nrows, MPI_DOUBLE, right, TAG_RIGHT, cart, &req[7]);
      update_rect(u, next, width, 2, nrows, 2, ncols);
      MPI_Waitall(8, req, MPI_STATUSES_IGNORE);
      if (left != MPI_PROC_NULL)
        for (long i = 0; i < nrows; i++) u[(i + 1) * width] = recv_left[i];
      if (right != MPI_PROC_NULL)
        for (long i = 0; i < nrows; i++) u[(i + 1) * width + ncols + 1] = recv_right[i];
      update_rect(u, next, width, 1, 2, 1, ncols + 1);
      if (nrows > 1) update_rect(u, next, width, nrows, nrows + 1, 1, ncols + 1);
      update_rect(u, next, width, 2, nrows, 1, 2);
      if (ncols > 1) update_rect(u, next, width, 2, nrows, ncols, ncols + 1);
      double *t = u;
      u = next, next = t;
    }
    MPI_Barrier(cart);
    if (sample >= 0) samples[sample] = (MPI_Wtime() - t0) * 1000 / (double)(steps > 0 ? steps : 1);
  }

  /* Gather the interiors: each rank's block, packed; rank 0 places them by their coordinates. */
  double *mine = malloc((nrows * ncols > 0 ? nrows * ncols : 1) * sizeof(double));
  for (long i = 0; i < nrows; i++) memcpy(mine + i * ncols, u + (i + 1) * width + 1, ncols * sizeof(double));
  int my_count = (int)(nrows * ncols), *counts = NULL, *displs = NULL;
  double *all = NULL;
  if (rank == 0) counts = malloc(size * sizeof(int)), displs = malloc(size * sizeof(int));
  MPI_Gather(&my_count, 1, MPI_INT, counts, 1, MPI_INT, 0, cart);
  if (rank == 0) {
    long off = 0;
    for (int r = 0; r < size; r++) displs[r] = (int)off, off += counts[r];
    all = malloc(off * sizeof(double));
  }
  MPI_Gatherv(mine, my_count, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, cart);

  if (rank == 0) {
    double *interior = malloc(nx * ny * sizeof(double));
    for (int r = 0; r < size; r++) {
      int rc[2];
      long rr0, rn, cc0, cn;
      MPI_Cart_coords(cart, r, 2, rc);
      split1d(nx, dims[0], rc[0], &rr0, &rn);
      split1d(ny, dims[1], rc[1], &cc0, &cn);
      for (long i = 0; i < rn; i++) memcpy(interior + (rr0 + i) * ny + cc0, all + displs[r] + i * cn, cn * sizeof(double));
    }
    double sum = 0;
    for (long k = 0; k < nx * ny; k++) sum += interior[k];
    Sha256 sha;
    char hex[65];
    sha_init(&sha);
    sha_update(&sha, (const uint8_t *)interior, nx * ny * sizeof(double)); /* little-endian, as Float64Array */
    sha_hex(&sha, hex);
    printf("{\"impl\":\"ompi-c\",\"np\":%d,\"dims\":\"%dx%d\",\"nx\":%ld,\"ny\":%ld,\"warmup\":%ld,\"steps\":%ld,\"reps\":%ld,\"total_steps\":%ld,"
           "\"ms_per_step\":[",
           size, dims[0], dims[1], nx, ny, warmup, steps, reps, total);
    for (long r = 0; r < reps; r++) printf("%s%.6f", r ? "," : "", samples[r]);
    printf("],\"sum\":%.17g,\"sha256\":\"%s\"}\n", sum, hex);
    fflush(stdout);
    free(interior);
  }
  MPI_Comm_free(&cart);
  MPI_Finalize();
  return 0;
}
