/* checksum.c — reads a file from the preopened directory and prints its size and a
 * 64-bit FNV-1a checksum of its bytes, each byte mixed ROUNDS times (default 1) so a
 * task's length can be set from its arguments. Used by the data-locality test: many
 * tasks share one large input file.
 * Usage: checksum FILE [ROUNDS] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: checksum FILE [ROUNDS]\n");
    return 2;
  }
  long rounds = argc > 2 ? atol(argv[2]) : 1;
  if (rounds < 1) rounds = 1;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  static unsigned char buf[1 << 16];
  uint64_t h = 1469598103934665603ULL;
  uint64_t total = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    total += n;
    for (long r = 0; r < rounds; r++)
      for (size_t i = 0; i < n; i++) h = (h ^ buf[i]) * 1099511628211ULL;
  }
  fclose(f);
  printf("%llu %016llx\n", (unsigned long long)total, (unsigned long long)h);
  return 0;
}
