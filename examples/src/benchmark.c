/* benchmark.c — Anygrid's standard benchmark: a fixed mix of integer and floating-point
 * work, the same on every host, so that speeds compare across hosts and runtimes.
 * Usage: benchmark [ROUNDS]  (default 100) -> prints a checksum of the work and a newline.
 * One round is 4096 operations: 2048 steps of an integer kernel (xorshift, multiply, table
 * reads and writes in a 4 KiB table) and 2048 steps of a floating-point kernel (a complex
 * square-and-add, a division and a square root). The agent times the run and reports
 * ROUNDS * 4096 / seconds as the host's speed (ops/s). Steps depend on the previous one,
 * so the compiler can neither vectorise nor drop them. Deterministic; bad arguments exit 2.
 * Built without stdio so the module stays a few hundred bytes for the browser too. */
#include <stdint.h>
#include <unistd.h>

#define INT_STEPS 2048
#define FLOAT_STEPS 2048
#define TABLE 1024

static uint32_t table[TABLE];

static int parse_rounds(const char *s, uint32_t *out) {
  uint32_t v = 0;
  if (*s == '\0') return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return 0;
    v = v * 10 + (uint32_t)(*s - '0');
    if (v > 100000000) return 0;
  }
  *out = v;
  return 1;
}

static uint32_t int_kernel(uint32_t x) {
  for (int i = 0; i < INT_STEPS; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    uint32_t j = (x >> 7) & (TABLE - 1);
    table[i & (TABLE - 1)] = table[j] * 2654435761u + x;
    x += table[j] % 1009u;
  }
  return x;
}

static double float_kernel(double seed) {
  double zr = 0.0, zi = 0.0, acc = seed;
  const double cr = -0.7436, ci = 0.1318;
  for (int i = 0; i < FLOAT_STEPS; i++) {
    double t = zr * zr - zi * zi + cr;
    zi = 2.0 * zr * zi + ci;
    zr = t;
    /* Keeps the orbit bounded and the chain dependent: no overflow, no NaN. */
    if (zr * zr + zi * zi > 4.0) {
      zr = acc / (1.0 + acc);
      zi = 0.0;
    }
    acc = __builtin_sqrt(acc * 0.5 + zr * zr + 1.0);
  }
  return acc;
}

static void put_u64(uint64_t v) {
  char buf[24];
  int n = sizeof buf;
  buf[--n] = '\n';
  do {
    buf[--n] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  (void)!write(1, buf + n, sizeof buf - (size_t)n);
}

int main(int argc, char **argv) {
  uint32_t rounds = 100;
  if (argc > 2 || (argc == 2 && !parse_rounds(argv[1], &rounds))) {
    (void)!write(2, "usage: benchmark [ROUNDS]\n", 26);
    return 2;
  }
  for (uint32_t i = 0; i < TABLE; i++) table[i] = i * 2246822519u;
  uint32_t x = 2463534242u;
  double f = 1.0;
  for (uint32_t r = 0; r < rounds; r++) {
    x = int_kernel(x);
    f = float_kernel(f + (double)(x & 255) / 256.0);
  }
  /* The float result's bits, folded with the integer state: equal on every correct host. */
  union {
    double d;
    uint64_t u;
  } bits = {f};
  put_u64(bits.u ^ x);
  return 0;
}
