/* slowagree.c — a slow validator module for crash tests: spins for a few seconds (about
 * 3e9 steps of a volatile counter: the sandbox's clock is fixed, so time is counted in
 * work), then says every candidate agrees with candidate 0.
 * Usage: slowagree DIR0 DIR1 ...   (prints [1,2,...,argc-2]) */
#include <stdio.h>

int main(int argc, char **argv) {
  (void)argv;
  volatile unsigned long counter = 0;
  for (unsigned long i = 0; i < 3000000000UL; i++) counter++;
  printf("[");
  for (int i = 2; i < argc; i++) printf("%s%d", i > 2 ? "," : "", i - 1);
  printf("]\n");
  return 0;
}
