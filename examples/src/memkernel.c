/* memkernel.c — a memory-bound benchmark kernel: a STREAM-like triad over three arrays
 * of doubles, then a random-access pointer chase through a single-cycle permutation of
 * a large array of 32-bit indices (each load depends on the previous one, so the time
 * is memory latency, not compute). Deterministic; prints a checksum line per phase.
 * Usage: memkernel [CHASE_MIB [TRIAD_MIB [PASSES [STEPS]]]]
 *        (defaults 64 MiB, 48 MiB, 8 triad passes, 1500000 chase steps) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: deterministic, identical on every platform. */
static uint64_t next_random(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static long arg(int argc, char **argv, int i, long fallback) {
  if (argc <= i) return fallback;
  long v = strtol(argv[i], NULL, 10);
  return v > 0 ? v : fallback;
}

int main(int argc, char **argv) {
  size_t chase_n = (size_t)arg(argc, argv, 1, 64) * 1024 * 1024 / sizeof(uint32_t);
  size_t triad_n = (size_t)arg(argc, argv, 2, 48) * 1024 * 1024 / (3 * sizeof(double));
  long passes = arg(argc, argv, 3, 8);
  long steps = arg(argc, argv, 4, 1500000);

  double *a = malloc(triad_n * sizeof(double));
  double *b = malloc(triad_n * sizeof(double));
  double *c = malloc(triad_n * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "memkernel: out of memory (triad)\n");
    return 1;
  }
  for (size_t i = 0; i < triad_n; i++) {
    a[i] = 0.0;
    b[i] = (double)(i % 1000) * 0.5;
    c[i] = (double)(i % 777) * 0.25;
  }
  for (long p = 0; p < passes; p++) {
    double s = 1.0 + (double)p * 0.125;
    for (size_t i = 0; i < triad_n; i++) a[i] = b[i] + s * c[i];
    double *t = b; /* rotate so every pass reads what the previous one wrote */
    b = a;
    a = t;
  }
  double sum = 0.0;
  for (size_t i = 0; i < triad_n; i += 4099) sum += b[i];
  printf("triad %zu doubles x %ld passes: %.6e\n", triad_n, passes, sum);
  free(a);
  free(b);
  free(c);

  uint32_t *next = malloc(chase_n * sizeof(uint32_t));
  if (!next) {
    fprintf(stderr, "memkernel: out of memory (chase)\n");
    return 1;
  }
  /* Sattolo's algorithm: a random permutation that is one single cycle. */
  for (size_t i = 0; i < chase_n; i++) next[i] = (uint32_t)i;
  for (size_t i = chase_n - 1; i > 0; i--) {
    size_t j = (size_t)(next_random() % i);
    uint32_t t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  uint32_t at = 0;
  uint64_t checksum = 0;
  for (long s = 0; s < steps; s++) {
    at = next[at];
    checksum += at;
  }
  printf("chase %zu entries x %ld steps: %016llx\n", chase_n, steps,
         (unsigned long long)checksum);
  free(next);
  return 0;
}
