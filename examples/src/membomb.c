/* membomb.c — misbehaving module for sandbox tests: mallocs and touches 1 MiB blocks
 * until malloc returns NULL, then prints "membomb: allocated N MiB" on stderr and exits 3.
 * Usage: membomb */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  unsigned long mib = 0;
  for (;;) {
    volatile char *p = malloc(1 << 20);
    if (!p) break;
    memset((char *)p, 0xA5, 1 << 20);
    p[(1 << 20) - 1] = (char)mib;
    mib++;
  }
  fprintf(stderr, "membomb: allocated %lu MiB\n", mib);
  return 3;
}
