/* echo.c — I/O plumbing test: copies stdin to stdout, lists argv on stderr
 * (one "argv[i]=..." line each), and if input.txt exists in the current/preopened
 * directory, writes its contents uppercased (ASCII) to output.txt.
 * Usage: echo [ARGS...]   (arguments are only listed, not interpreted) */
#include <ctype.h>
#include <stdio.h>

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) fprintf(stderr, "argv[%d]=%s\n", i, argv[i]);

  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    if (fwrite(buf, 1, n, stdout) != n) return 1;
  }
  if (fflush(stdout) != 0) return 1;

  FILE *in = fopen("input.txt", "rb");
  if (in) {
    FILE *out = fopen("output.txt", "wb");
    if (!out) {
      perror("echo: output.txt");
      return 1;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
      for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
      if (fwrite(buf, 1, n, out) != n) return 1;
    }
    fclose(in);
    if (fclose(out) != 0) return 1;
  }
  return 0;
}
