/* bigout.c — misbehaving module for sandbox tests: writes 1 GiB of 'x' to stdout in
 * 64 KiB writes (to test output-size limits). Exits 1 if a write fails. Usage: bigout */
#include <string.h>
#include <unistd.h>

int main(void) {
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  for (unsigned i = 0; i < (1u << 30) / sizeof buf; i++) {
    size_t off = 0;
    while (off < sizeof buf) {
      ssize_t n = write(1, buf + off, sizeof buf - off);
      if (n <= 0) return 1;
      off += (size_t)n;
    }
  }
  return 0;
}
