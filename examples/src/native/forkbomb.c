/* forkbomb.c — hostile native program for sandbox tests: forks children that never
 * exit, as fast as it can. When fork fails it prints `forkbomb: fork failed after N
 * processes: <strerror>` on stderr and exits 3; it gives up by itself after LIMIT
 * children (default 4000, so that a machine without a process limit survives the test),
 * printing `forkbomb: not stopped after N processes` and exiting 0.
 * Children sleep until killed. Usage: forkbomb [LIMIT] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long limit = argc > 1 ? atol(argv[1]) : 4000;
  for (long n = 0; n < limit; n++) {
    pid_t pid = fork();
    if (pid < 0) {
      fprintf(stderr, "forkbomb: fork failed after %ld processes: %s\n", n, strerror(errno));
      return 3;
    }
    if (pid == 0) {
      for (;;) pause();
    }
  }
  printf("forkbomb: not stopped after %ld processes\n", limit);
  return 0;
}
