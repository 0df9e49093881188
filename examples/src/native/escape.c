/* escape.c — hostile native program for sandbox tests: writes inside and outside its
 * working directory. Writes `inside.txt` in the working directory (allowed: it becomes an
 * output file), then tries to create PATH (default /tmp/anygrid-escape), `../escape`
 * and `/etc/anygrid-escape`. Prints `escaped: <path>` and exits 0 if any outside write
 * succeeds; otherwise `denied: <path>: <strerror>` per attempt on stderr and exits 1.
 * Usage: escape [PATH] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int try_write(const char *path) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "denied: %s: %s\n", path, strerror(errno));
    return 0;
  }
  fputs("escaped\n", f);
  fclose(f);
  printf("escaped: %s\n", path);
  return 1;
}

int main(int argc, char **argv) {
  FILE *in = fopen("inside.txt", "w");
  if (in == NULL || fputs("inside\n", in) < 0 || fclose(in) != 0) {
    fprintf(stderr, "could not write inside.txt: %s\n", strerror(errno));
    return 2;
  }
  int escaped = try_write(argc > 1 ? argv[1] : "/tmp/anygrid-escape");
  escaped |= try_write("../escape");
  escaped |= try_write("/etc/anygrid-escape");
  return escaped ? 0 : 1;
}
