/* mandelbrot.c — renders one Mandelbrot tile as a binary PGM (P5) image.
 * Usage: mandelbrot X0 Y0 X1 Y1 WIDTH HEIGHT MAXITER [OUT]
 * Pixel (i, j) samples x = X0 + (i + 0.5) * (X1 - X0) / WIDTH, y likewise with j.
 * Writes to the file OUT (relative to the preopened dir) or to stdout if OUT is absent.
 * Deterministic (plain IEEE double arithmetic); bad arguments exit 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  return errno == 0 && end != s && *end == '\0';
}

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

int main(int argc, char **argv) {
  double x0, y0, x1, y1;
  long w, h, maxiter;
  if ((argc != 8 && argc != 9) || !parse_double(argv[1], &x0) || !parse_double(argv[2], &y0) ||
      !parse_double(argv[3], &x1) || !parse_double(argv[4], &y1) ||
      !parse_long(argv[5], 1, 16384, &w) || !parse_long(argv[6], 1, 16384, &h) ||
      !parse_long(argv[7], 1, 1000000000L, &maxiter)) {
    fprintf(stderr, "usage: mandelbrot X0 Y0 X1 Y1 WIDTH HEIGHT MAXITER [OUT]\n");
    return 2;
  }
  FILE *out = stdout;
  if (argc == 9) {
    out = fopen(argv[8], "wb");
    if (!out) {
      fprintf(stderr, "mandelbrot: cannot open %s: %s\n", argv[8], strerror(errno));
      return 1;
    }
  }
  unsigned char *row = malloc((size_t)w);
  if (!row) {
    fprintf(stderr, "mandelbrot: out of memory\n");
    return 1;
  }
  fprintf(out, "P5\n%ld %ld\n255\n", w, h);
  double dx = (x1 - x0) / (double)w, dy = (y1 - y0) / (double)h;
  for (long j = 0; j < h; j++) {
    double cy = y0 + ((double)j + 0.5) * dy;
    for (long i = 0; i < w; i++) {
      double cx = x0 + ((double)i + 0.5) * dx;
      double zx = 0, zy = 0;
      long k = 0;
      while (k < maxiter && zx * zx + zy * zy <= 4.0) {
        double t = zx * zx - zy * zy + cx;
        zy = 2.0 * zx * zy + cy;
        zx = t;
        k++;
      }
      row[i] = k >= maxiter ? 0 : (unsigned char)(255 - (k * 255) / maxiter);
    }
    if (fwrite(row, 1, (size_t)w, out) != (size_t)w) {
      fprintf(stderr, "mandelbrot: write failed\n");
      return 1;
    }
  }
  free(row);
  if (fclose(out) != 0) {
    fprintf(stderr, "mandelbrot: close failed\n");
    return 1;
  }
  return 0;
}
