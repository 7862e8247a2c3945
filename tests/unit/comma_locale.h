/* A locale whose decimal point is a comma, for tests of locale-free number output: an
 * installed one (de_DE, fr_FR) where there is one, else a minimal one that only changes
 * LC_NUMERIC, compiled with localedef into a test directory (LOCPATH). */
#ifndef AIM_TEST_COMMA_LOCALE_H
#define AIM_TEST_COMMA_LOCALE_H

/* Sets LC_NUMERIC to such a locale and returns 1 (printf("%.1f", 1.5) then gives "1,5"),
 * or 0 when none can be had (no locale installed and no localedef); dir is a writable
 * directory that may receive the compiled locale. Restore with setlocale(LC_NUMERIC, "C"). */
int comma_locale_set(const char *dir);

/* The same in a directory of its own (created on the first call, removed at exit). */
int comma_locale_enter(void);

#endif
