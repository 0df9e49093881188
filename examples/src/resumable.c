/*
 * resumable STEPS [EVERY]: a long iterative computation that checkpoints, the example
 * of docs/checkpoints.md.
 *
 * It runs STEPS rounds of a mixing function over a 64-bit value, each round 200 000
 * integer operations, and prints the final value. Every EVERY rounds (default 50) it
 * saves its state to /checkpoint/state and the fraction done to /checkpoint/progress,
 * in the task directory preopened at /. At start it reads /checkpoint/state back if a
 * checkpoint of this very task is there (same STEPS, a valid checksum) and continues
 * from it; anything else there is ignored and the run starts from round 0.
 *
 * stdout (compared between replicas) is the same whether the run was interrupted or
 * not. stderr (never compared) says how much work this run did:
 *   rounds computed: N of STEPS (resumed at S; W in all runs of the chain)
 * where W adds up the rounds computed by every run that led to the checkpoint resumed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define INNER 200000
#define STATE_PATH "/checkpoint/state"
#define PROGRESS_PATH "/checkpoint/progress"
#define MAGIC 0x43484b50u /* "CHKP" */

struct state {
  uint32_t magic;
  uint32_t steps; /* total rounds of the task: a checkpoint of another task is ignored */
  uint32_t done;  /* rounds done */
  uint32_t pad;
  uint64_t value; /* the value after `done` rounds */
  uint64_t work;  /* rounds computed by all runs up to this checkpoint */
  uint64_t check; /* checksum of the fields above */
};

static uint64_t checksum(const struct state *s) {
  uint64_t h = 1469598103934665603ull;
  const uint64_t parts[5] = {s->magic, s->steps, s->done, s->value, s->work};
  for (int i = 0; i < 5; i++) {
    h ^= parts[i];
    h *= 1099511628211ull;
  }
  return h;
}

static uint64_t round_of(uint64_t x, uint32_t round) {
  for (uint32_t i = 0; i < INNER; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x += round + i;
  }
  return x;
}

/* Writes the whole file, or nothing useful: a failed save only costs a longer resume. */
static void save(const char *path, const void *bytes, size_t size) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return;
  fwrite(bytes, 1, size, f);
  fclose(f);
}

static int load(struct state *s, uint32_t steps) {
  FILE *f = fopen(STATE_PATH, "rb");
  if (f == NULL) return 0;
  size_t n = fread(s, 1, sizeof *s, f);
  fclose(f);
  return n == sizeof *s && s->magic == MAGIC && s->steps == steps && s->done <= steps &&
         s->check == checksum(s);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: resumable STEPS [EVERY]\n");
    return 2;
  }
  uint32_t steps = (uint32_t)strtoul(argv[1], NULL, 10);
  uint32_t every = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 50;
  if (every == 0) every = 1;

  struct state s = {MAGIC, steps, 0, 0, 0x9e3779b97f4a7c15ull, 0, 0};
  uint32_t resumed = 0;
  if (load(&s, steps)) resumed = s.done;
  else {
    s = (struct state){MAGIC, steps, 0, 0, 0x9e3779b97f4a7c15ull, 0, 0};
  }

  /* The directory exists when a checkpoint was handed over; make it otherwise. */
  mkdir("/checkpoint", 0755);
  uint32_t computed = 0;
  while (s.done < steps) {
    s.value = round_of(s.value, s.done);
    s.done++;
    s.work++;
    computed++;
    if (s.done % every == 0 && s.done < steps) {
      char progress[32];
      int len = snprintf(progress, sizeof progress, "%.4f\n", (double)s.done / steps);
      /* Progress first, then the state: the agent reads both when the state is closed. */
      save(PROGRESS_PATH, progress, (size_t)len);
      s.check = checksum(&s);
      save(STATE_PATH, &s, sizeof s);
    }
  }

  printf("%" PRIu32 " rounds: %016" PRIx64 "\n", steps, s.value);
  fprintf(stderr, "rounds computed: %" PRIu32 " of %" PRIu32 " (resumed at %" PRIu32 "; %" PRIu64
                  " in all runs of the chain)\n",
          computed, steps, resumed, s.work);
  return 0;
}
