/* Test helpers: writable copies of fixture trees, and running code as an unprivileged user
 * (the tests run as root, which reads any file whatever its mode). */
#ifndef AIM_TEST_TMPTREE_H
#define AIM_TEST_TMPTREE_H

#include <stddef.h>

/* Copies AIM_FIXTURES_DIR/<fixture> into a fresh directory under /tmp that any user can
 * traverse. Returns the malloc'd root path (free with tmptree_remove), NULL on failure. */
char *tmptree_copy(const char *fixture);

/* Writes text to root/rel, replacing the file's content (0 or -errno). */
int tmptree_write(const char *root, const char *rel, const char *text);

/* chmod of root/rel (0 or -errno). */
int tmptree_chmod(const char *root, const char *rel, unsigned mode);

/* rm -rf root, then free(root). Accepts NULL. */
void tmptree_remove(char *root);

/* Runs fn in a forked child that has dropped to uid/gid 65534 when running as root. fn
 * returns an int and may write a NUL-terminated text into out (at most size bytes); both
 * come back through a pipe. Returns fn's result, or -1000 when the child did not report. */
int tmptree_run_unprivileged(int (*fn)(void *arg, char *out, size_t size), void *arg,
                             char *out, size_t size);

#endif
