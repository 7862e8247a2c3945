/* A decimal-comma LC_NUMERIC for tests (comma_locale.h). */
#include "comma_locale.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_comma(void) {
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    return strcmp(probe, "1,5") == 0;
}

int comma_locale_set(const char *dir) {
    static const char *const installed[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR" };
    for (size_t i = 0; i < sizeof installed / sizeof installed[0]; i++)
        if (setlocale(LC_NUMERIC, installed[i]) && has_comma())
            return 1;
    /* Only LC_NUMERIC is defined; localedef -c writes the other categories as POSIX's. */
    char src[512], cmd[1400];
    snprintf(src, sizeof src, "%s/comma.def", dir);
    FILE *f = fopen(src, "w");
    if (!f)
        return 0;
    fputs("LC_NUMERIC\ndecimal_point \",\"\nthousands_sep \".\"\ngrouping 3;3\nEND LC_NUMERIC\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "localedef -c -i '%s' -f UTF-8 '%s/xx_COMMA.UTF-8' >/dev/null 2>&1",
             src, dir);
    if (system(cmd) == -1)
        return 0;
    setenv("LOCPATH", dir, 1);
    int ok = setlocale(LC_NUMERIC, "xx_COMMA.UTF-8") != NULL && has_comma();
    if (!ok)
        setlocale(LC_NUMERIC, "C");
    return ok;
}

static char own_dir[64];

static void remove_own_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", own_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", own_dir);
}

int comma_locale_enter(void) {
    if (!own_dir[0]) {
        snprintf(own_dir, sizeof own_dir, "/tmp/aim_comma_XXXXXX");
        if (!mkdtemp(own_dir)) {
            own_dir[0] = '\0';
            return 0;
        }
        atexit(remove_own_dir);
    }
    return comma_locale_set(own_dir);
}
