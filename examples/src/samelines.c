/* samelines.c — a validator module (compare: { kind: 'validator' }): two outputs agree
 * when their stdout holds the same lines in any order. Arguments are the candidate
 * directories (/candidates/0 first), each holding `stdout` and `files/NAME`; it prints
 * the JSON array of the indexes of the candidates that agree with candidate 0.
 * Usage: samelines DIR0 DIR1 ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BYTES (1 << 20)
#define MAX_LINES 65536

struct lines {
  char *text;
  char *line[MAX_LINES];
  int count;
};

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads DIR/stdout and sorts its lines; an absent stdout has no lines. */
static int load(const char *dir, struct lines *out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/stdout", dir);
  out->text = calloc(MAX_BYTES + 1, 1);
  out->count = 0;
  if (!out->text) return -1;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(out->text, 1, MAX_BYTES, f);
  fclose(f);
  out->text[n] = '\0';
  for (char *s = strtok(out->text, "\n"); s && out->count < MAX_LINES; s = strtok(NULL, "\n"))
    out->line[out->count++] = s;
  qsort(out->line, out->count, sizeof(char *), cmp);
  return 0;
}

static int same(const struct lines *a, const struct lines *b) {
  if (a->count != b->count) return 0;
  for (int i = 0; i < a->count; i++)
    if (strcmp(a->line[i], b->line[i]) != 0) return 0;
  return 1;
}

int main(int argc, char **argv) {
  static struct lines first, other;
  if (argc < 2 || load(argv[1], &first) != 0) return 2;
  printf("[");
  int printed = 0;
  for (int i = 2; i < argc; i++) {
    if (load(argv[i], &other) != 0) return 2;
    if (same(&first, &other)) printf("%s%d", printed++ ? "," : "", i - 1);
    free(other.text);
  }
  printf("]\n");
  return 0;
}
