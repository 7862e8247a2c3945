/* Runs a libFuzzer-style target over files given on the command line, or over every file
 * of a directory given there (the seed corpus, crash reproducers), so every fuzz target is
 * also a regression test under gcc, ASan and valgrind without needing clang's libFuzzer.
 * A directory is read when the test runs, so inputs added to a corpus (a campaign's merge)
 * are replayed without configuring the build again. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    uint8_t *buf = malloc(1 << 20);
    if (!buf) {
        fclose(f);
        return -1;
    }
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int no_dots(const struct dirent *e) {
    return e->d_name[0] != '.';
}

/* Every file of dir in name order (the same order on every machine); -1 on error. */
static int replay_dir(const char *dir, int *ran) {
    struct dirent **names;
    int n = scandir(dir, &names, no_dots, alphasort);
    if (n < 0) {
        perror(dir);
        return -1;
    }
    int r = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        if (r == 0 && snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) < (int)sizeof path) {
            r = replay_file(path);
            (*ran)++;
        }
        free(names[i]);
    }
    free(names);
    return r;
}

int main(int argc, char **argv) {
    int ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int r = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? replay_dir(argv[i], &ran)
                                                                : (ran++, replay_file(argv[i]));
        if (r < 0)
            return 1;
    }
    if (ran == 0) {
        fprintf(stderr, "no input replayed\n");
        return 1;
    }
    printf("replayed %d inputs\n", ran);
    return 0;
}
