/* passwd.c — misbehaving module for sandbox tests: tries to read files outside its
 * preopened directory (/etc/passwd and ../../../etc/passwd). If one is readable it prints
 * its first line and exits 0 (a sandbox escape); otherwise prints "denied: <strerror>"
 * for each attempt and exits 1. Usage: passwd */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  static const char *paths[] = {"/etc/passwd", "../../../etc/passwd"};
  for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    FILE *f = fopen(paths[i], "r");
    if (!f) {
      printf("denied: %s\n", strerror(errno));
      continue;
    }
    char line[1024];
    if (fgets(line, sizeof line, f)) {
      fputs(line, stdout);
      if (line[strlen(line) - 1] != '\n') putchar('\n');
      fclose(f);
      return 0;
    }
    fclose(f);
    printf("denied: empty read\n");
  }
  return 1;
}
