/* floats.c — floating-point output for comparator tests: the values k/10 for k = 1..N.
 * Usage: floats json N   prints them as a JSON array ("%.17g", exact doubles) on stdout
 *        floats f64 N    writes them to out.bin as little-endian float64, prints "ok" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: floats json|f64 N\n");
    return 2;
  }
  int n = atoi(argv[2]);
  if (strcmp(argv[1], "json") == 0) {
    printf("[");
    for (int k = 1; k <= n; k++) printf("%s%.17g", k > 1 ? ", " : "", k / 10.0);
    printf("]\n");
    return 0;
  }
  if (strcmp(argv[1], "f64") == 0) {
    FILE *out = fopen("out.bin", "wb");
    if (!out) return 1;
    for (int k = 1; k <= n; k++) {
      double v = k / 10.0; /* wasm32 is little-endian: the bytes are already in order */
      if (fwrite(&v, sizeof v, 1, out) != 1) return 1;
    }
    if (fclose(out) != 0) return 1;
    printf("ok\n");
    return 0;
  }
  fprintf(stderr, "floats: unknown format %s\n", argv[1]);
  return 2;
}
