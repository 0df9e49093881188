/* wordcount.c — the map-reduce example (a job of N maps and 1 reduce, task graphs).
 *   wordcount map      counts the words of input.txt (stdin when there is none) and prints
 *                      one "word count" line per distinct word, sorted by word.
 *   wordcount reduce   adds up the "word count" lines of every parent's stdout,
 *                      parents/<index>/stdout (a child's input files under task graphs),
 *                      and prints the totals the same way; with FILE arguments, those files.
 *   wordcount fail     exits 3 at once: a map that fails, for tests.
 * Words are runs of ASCII letters and apostrophes, lowercased. Deterministic. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  char *word;
  long count;
};

static struct entry *entries;
static size_t used, cap;

static void add(const char *word, long count) {
  if (used == cap) {
    cap = cap ? cap * 2 : 1024;
    entries = realloc(entries, cap * sizeof *entries);
    if (!entries) {
      fputs("wordcount: out of memory\n", stderr);
      exit(2);
    }
  }
  entries[used].word = strdup(word);
  entries[used].count = count;
  used++;
}

static int by_word(const void *a, const void *b) {
  return strcmp(((const struct entry *)a)->word, ((const struct entry *)b)->word);
}

/* Sorts the entries, merges equal words and prints "word count" lines. */
static void print_totals(void) {
  qsort(entries, used, sizeof *entries, by_word);
  for (size_t i = 0; i < used;) {
    long total = 0;
    size_t j = i;
    while (j < used && strcmp(entries[j].word, entries[i].word) == 0) total += entries[j++].count;
    printf("%s %ld\n", entries[i].word, total);
    i = j;
  }
}

static void map(FILE *in) {
  char word[256];
  size_t len = 0;
  int c;
  do {
    c = fgetc(in);
    if (c != EOF && (isalpha(c) || (c == '\'' && len > 0))) {
      if (len < sizeof word - 1) word[len++] = (char)tolower(c);
    } else if (len > 0) {
      while (len > 0 && word[len - 1] == '\'') len--;
      word[len] = '\0';
      if (len > 0) add(word, 1);
      len = 0;
    }
  } while (c != EOF);
}

/* Reads "word count" lines; returns 0 on success. */
static int reduce_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  char word[256];
  long count;
  while (fscanf(f, "%255s %ld", word, &count) == 2) add(word, count);
  fclose(f);
  return 0;
}

static int reduce_parents(void) {
  DIR *dir = opendir("parents");
  if (!dir) {
    perror("wordcount: parents");
    return 1;
  }
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, "parents/%s/stdout", e->d_name);
    if (reduce_file(path) != 0) return 1;
  }
  closedir(dir);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: wordcount map | reduce [FILE...] | fail\n", stderr);
    return 2;
  }
  if (strcmp(argv[1], "map") == 0) {
    FILE *in = fopen("input.txt", "rb");
    map(in ? in : stdin);
    if (in) fclose(in);
  } else if (strcmp(argv[1], "reduce") == 0) {
    if (argc > 2) {
      for (int i = 2; i < argc; i++)
        if (reduce_file(argv[i]) != 0) return 1;
    } else if (reduce_parents() != 0) {
      return 1;
    }
  } else if (strcmp(argv[1], "fail") == 0) {
    fputs("wordcount: failing on purpose\n", stderr);
    return 3;
  } else {
    fprintf(stderr, "wordcount: unknown mode %s\n", argv[1]);
    return 2;
  }
  print_totals();
  return fflush(stdout) == 0 ? 0 : 1;
}
