/* prime.c — counts primes in a half-open range, a simple CPU-bound task.
 * Usage: prime START END  -> prints the number of primes p with START <= p < END.
 * Deterministic; bad arguments print a message on stderr and exit 2. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  if (s[0] == '-' || s[0] == '\0') return 0;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0') return 0;
  *out = (uint64_t)v;
  return 1;
}

static int is_prime(uint64_t n) {
  if (n < 2) return 0;
  if (n < 4) return 1;
  if (n % 2 == 0 || n % 3 == 0) return 0;
  for (uint64_t d = 5; d <= n / d; d += 6) {
    if (n % d == 0 || n % (d + 2) == 0) return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  uint64_t start, end;
  if (argc != 3 || !parse_u64(argv[1], &start) || !parse_u64(argv[2], &end)) {
    fprintf(stderr, "usage: prime START END (non-negative integers)\n");
    return 2;
  }
  uint64_t count = 0;
  for (uint64_t n = start; n < end; n++) count += (uint64_t)is_prime(n);
  printf("%llu\n", (unsigned long long)count);
  return 0;
}
