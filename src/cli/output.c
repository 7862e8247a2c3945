/* The outputs a command opens before its work starts (cli.h): a typo in a path must not cost
 * a training run or a long rendering, and the user's file stays as it was until there is
 * something to write into it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* Opens an output without truncating it: the run may still fail to start (store locked,
 * not an aimeter store), and then the user's file must be as it was. *created says
 * whether this call made the file, so that cli_output_discard() removes only what it made. */
FILE *cli_output_open(const char *path, int *created) {
    *created = 0;
    if (strcmp(path, "-") == 0)
        return stdout;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        *created = fd >= 0;
    }
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        if (*created)
            unlink(path);
        errno = e;
    }
    return f;
}

/* The run is going ahead: the output's old content may go now. */
void cli_output_truncate(FILE *f) {
    if (f && f != stdout) {
        int r = ftruncate(fileno(f), 0); /* fails on a FIFO or a device: nothing to cut */
        (void)r;
    }
}

/* The run did not happen: close an output, removing it if this run created it. */
void cli_output_discard(FILE *f, const char *path, int created) {
    if (!f || f == stdout)
        return;
    fclose(f);
    if (created)
        unlink(path);
}

/* Closes an output after the run; a failure is reported unless one already was. */
int cli_output_close(FILE *f, const char *path, int reported) {
    if (!f)
        return 0;
    if (f == stdout) {
        if (fflush(f) == 0 || reported)
            return reported ? AIM_EXIT_IOERR : 0;
        cli_error("writing to standard output: %s", strerror(errno ? errno : EIO));
        return AIM_EXIT_IOERR;
    }
    if (fclose(f) != 0 && !reported) {
        cli_error("writing %s: %s", path, strerror(errno));
        return AIM_EXIT_IOERR;
    }
    return 0;
}
