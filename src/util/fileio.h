/* Small, allocation-free file helpers shared by the sysfs/procfs sources. The *_fd variants
 * are what poll() uses: pread() at offset 0 on a descriptor opened once, so a sample costs
 * one syscall per file and never touches the heap. */
#ifndef AIM_FILEIO_H
#define AIM_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* root + "/" + rel into buf (rel may start with '/'). -ENAMETOOLONG if it does not fit. */
int aim__path_join(char *buf, size_t size, const char *root, const char *rel);

/* Reads a whole small file into buf, NUL-terminated, trailing newline removed.
 * Returns the length, or -errno (-ENOENT, -EACCES, -ENOBUFS when it does not fit). */
int aim__read_text(const char *path, char *buf, size_t size);

/* Reads a whole file of at most max bytes into a new NUL-terminated buffer (the caller frees
 * it; *ret_len without the NUL). -errno from open/read, -EFBIG when it is larger than max. */
int aim__read_file_alloc(const char *path, size_t max, char **ret_text, size_t *ret_len);
/* The same for a secret (a private key, a file of password hashes): no copy is left in freed
 * memory, on growing or failing. Free it with aim__free_secret (wipes, then frees). */
int aim__read_secret_alloc(const char *path, size_t max, char **ret_text, size_t *ret_len);
void aim__free_secret(char *text, size_t len);

/* Reads a file holding one decimal integer (sysfs attribute). -EINVAL if it is not one. */
int aim__read_u64(const char *path, uint64_t *ret_value);
int aim__read_i64(const char *path, int64_t *ret_value);

/* Opens path read-only and close-on-exec. Returns fd or -errno. */
int aim__open_ro(const char *path);

/* pread(fd, buf, size - 1, 0), NUL-terminated. Returns the length or -errno. */
int aim__pread_text(int fd, char *buf, size_t size);

/* pread of one decimal integer (as aim__read_u64, on an open descriptor). */
int aim__pread_u64(int fd, uint64_t *ret_value);
int aim__pread_i64(int fd, int64_t *ret_value);

/* Parses an unsigned decimal at *p, advancing *p past it and any following blanks.
 * Returns 0 or -EINVAL when no digit is there. Never allocates. */
int aim__scan_u64(const char **p, uint64_t *ret_value);

/* The environment-selected roots ("/sys", "/proc" unless AIMETER_SYSFS_ROOT /
 * AIMETER_PROCFS_ROOT are set). Returned strings are borrowed from the environment. */
const char *aim__sysfs_root(void);
/* Where /etc and /usr/share/zoneinfo are, for the time-zone guess: "/" unless
 * AIMETER_SYSTEM_ROOT (tests point it at a fixture tree). */
const char *aim__system_root(void);
const char *aim__procfs_root(void);

#endif
