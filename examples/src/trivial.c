/* trivial.c — the cheapest possible task, for throughput benchmarks.
 * Usage: trivial [ARG]  -> prints ARG (or an empty line) and exits 0. */
#include <stdio.h>

int main(int argc, char **argv) {
  puts(argc > 1 ? argv[1] : "");
  return 0;
}
