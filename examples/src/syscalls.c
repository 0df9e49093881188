/* syscalls.c — benchmark of many small WASI calls, as real-world programs make:
 * ~10k small fwrite/fputs calls to stdout (unbuffered, so each is an fd_write) and ~1k
 * small file create/write/close/reopen/read/close/unlink cycles in the preopened
 * (current) directory. Prints "checksum <hex>" last. Deterministic.
 * Usage: syscalls [WRITES [FILES]]   (defaults 10000 and 1000) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv1a(uint32_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

int main(int argc, char **argv) {
  long writes = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  long files = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
  if (writes < 0 || files < 0) {
    fprintf(stderr, "usage: syscalls [WRITES [FILES]]\n");
    return 2;
  }
  uint32_t h = 2166136261u;
  setvbuf(stdout, NULL, _IONBF, 0);
  char line[64];
  for (long i = 0; i < writes; i++) {
    int n = snprintf(line, sizeof line, "line %ld\n", i);
    if (i % 2 == 0) {
      if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n) return 1;
    } else if (fputs(line, stdout) == EOF) {
      return 1;
    }
    h = fnv1a(h, line, (size_t)n);
  }
  char name[64], data[128], back[128];
  for (long i = 0; i < files; i++) {
    snprintf(name, sizeof name, "syscalls-%ld.tmp", i);
    int n = snprintf(data, sizeof data, "file %ld payload %ld\n", i, i * 7919);
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(data, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
      fprintf(stderr, "syscalls: write %s: %s\n", name, strerror(errno));
      return 1;
    }
    f = fopen(name, "rb");
    if (!f) {
      fprintf(stderr, "syscalls: reopen %s: %s\n", name, strerror(errno));
      return 1;
    }
    size_t got = fread(back, 1, sizeof back, f);
    fclose(f);
    if (got != (size_t)n || memcmp(back, data, got) != 0) {
      fprintf(stderr, "syscalls: %s read back wrong\n", name);
      return 1;
    }
    if (remove(name) != 0) {
      fprintf(stderr, "syscalls: unlink %s: %s\n", name, strerror(errno));
      return 1;
    }
    h = fnv1a(h, back, got);
  }
  printf("checksum %08x\n", (unsigned)h);
  return 0;
}
