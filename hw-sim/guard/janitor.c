/* ep-janitor: removes edgeprune's temporary folders once edgeprune has ended, however it ended
 * (Ctrl-C, SIGTERM, SIGKILL, a crash): nothing of edgeprune runs then, so another process must.
 *
 *   ep-janitor            (stdin: a pipe from edgeprune)
 *
 * edgeprune writes "+<path>\0" when it creates a temporary path and "-<path>\0" when it has
 * removed it itself (or keeps it). End of file on stdin means edgeprune has ended: every path
 * still listed is removed, depth first without following symbolic links, retried for a few
 * seconds while the processes that wrote into it die (their guards kill them at the same time).
 * Only absolute paths whose last part names them as edgeprune's ("edgeprune-", ".tmp-") are taken.
 * SIGINT, SIGTERM and SIGHUP are ignored: a Ctrl-C at the terminal reaches the janitor too, and
 * it must outlive edgeprune by the time the cleanup takes. */

#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char **paths;
static size_t count, capacity;

static int acceptable(const char *p) {
  if (p[0] != '/' || strcmp(p, "/") == 0) return 0;
  const char *base = strrchr(p, '/') + 1;
  return strncmp(base, "edgeprune-", 10) == 0 || strstr(base, ".tmp-") != NULL;
}

static void add(const char *p) {
  if (!acceptable(p)) return;
  if (count == capacity) {
    size_t grown = capacity ? capacity * 2 : 16;
    char **bigger = realloc(paths, grown * sizeof *paths);
    if (!bigger) return;
    paths = bigger;
    capacity = grown;
  }
  char *copy = strdup(p);
  if (copy) paths[count++] = copy;
}

static void drop(const char *p) {
  for (size_t i = 0; i < count; i++) {
    if (paths[i] && strcmp(paths[i], p) == 0) {
      free(paths[i]);
      paths[i] = NULL;
    }
  }
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st; (void)type; (void)ftw;
  remove(path);
  return 0; /* keep going: what is left is retried */
}

static void remove_tree(const char *p) {
  struct stat st;
  for (int attempt = 0; attempt < 50 && lstat(p, &st) == 0; attempt++) {
    if (attempt > 0) usleep(100 * 1000);
    if (S_ISDIR(st.st_mode)) nftw(p, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    else remove(p);
  }
}

int main(void) {
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  char *record = NULL;
  size_t size = 0;
  ssize_t n;
  while ((n = getdelim(&record, &size, '\0', stdin)) > 0) {
    if (record[n - 1] != '\0') break; /* a record cut by edgeprune's end: ignore it */
    if (record[0] == '+') add(record + 1);
    else if (record[0] == '-') drop(record + 1);
  }
  for (size_t i = 0; i < count; i++) {
    if (paths[i]) remove_tree(paths[i]);
  }
  return 0;
}
