/* The zone guessed from the time zone, against tests/fixtures/tz: a few real lines of
 * tzdata 2025b's zone.tab, zone1970.tab and tzdata.zi, and an etc/timezone saying
 * Europe/Paris. Each test works on a copy, where it adds or removes etc/ files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "providers/zone_guess.h"
#include "tmptree.h"

static char *tree(void) {
    unsetenv("TZ");
    char *root = tmptree_copy("tz");
    assert_non_null(root);
    return root;
}

static void put(const char *root, const char *rel, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void drop(const char *root, const char *rel) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    assert_int_equal(unlink(path), 0);
}

static void link_at(const char *root, const char *rel, const char *target) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    assert_int_equal(symlink(target, path), 0);
}

static void etc_timezone(void **state) {
    char *root = tree();
    char code[24], how[128];
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), 0);
    assert_string_equal(code, "FR");
    assert_string_equal(how, "time zone Europe/Paris (/etc/timezone) \u2192 FR");
    tmptree_remove(root);
}

static void tz_comes_first_and_finds_provinces(void **state) {
    char *root = tree();
    char code[24], how[128];
    /* America/Regina is in zone.tab as CA; the province table makes it Saskatchewan */
    setenv("TZ", ":America/Regina", 1);
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), 0);
    assert_string_equal(code, "CA-SK");
    assert_string_equal(how, "time zone America/Regina (TZ) \u2192 CA-SK");
    /* a zone over several provinces stays at the country */
    setenv("TZ", "America/Toronto", 1);
    assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
    assert_string_equal(code, "CA");
    /* through tzdata.zi: "L America/Regina Canada/Saskatchewan" */
    setenv("TZ", "Canada/Saskatchewan", 1);
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), 0);
    assert_string_equal(code, "CA-SK");
    assert_string_equal(how, "time zone Canada/Saskatchewan (TZ) \u2192 CA-SK");
    /* a path to a zone file */
    setenv("TZ", "/usr/share/zoneinfo/posix/Asia/Kolkata", 1);
    assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
    assert_string_equal(code, "IN");
    unsetenv("TZ");
    tmptree_remove(root);
}

static void no_country_falls_through(void **state) {
    char *root = tree();
    char code[24];
    /* UTC names no country (tzdata.zi: "L Etc/UTC UTC", and Etc/UTC is in no .tab), and a
     * POSIX rule names no file: /etc/timezone decides */
    const char *values[] = { "UTC", "Etc/UTC", "CET-1CEST,M3.5.0,M10.5.0/3", "", "../../etc/x" };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        setenv("TZ", values[i], 1);
        memset(code, 0, sizeof code);
        assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
        assert_string_equal(code, "FR");
    }
    unsetenv("TZ");
    tmptree_remove(root);
}

/* UTC and the other names under Etc/ are known to name no country without tzdata.zi: a
 * tzdata.zi that said otherwise (here, UTC a link to Europe/Berlin) is not read for them. */
static void countryless_names_skip_tzdata(void **state) {
    char *root = tree();
    char code[24];
    put(root, "usr/share/zoneinfo/tzdata.zi", "L Europe/Berlin UTC\nL Europe/Berlin Etc/GMT+1\n"
                                             "L Europe/Berlin Canada/Saskatchewan\n");
    const char *values[] = { "UTC", "Etc/GMT+1", "Zulu", "Etc/Unknown" };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        setenv("TZ", values[i], 1);
        assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
        assert_string_equal(code, "FR"); /* /etc/timezone, not Germany */
    }
    /* while a link with a country still goes through it */
    setenv("TZ", "Canada/Saskatchewan", 1);
    assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
    assert_string_equal(code, "DE");
    unsetenv("TZ");
    tmptree_remove(root);
}

static void localtime_symlink(void **state) {
    char *root = tree();
    char code[24], how[128];
    drop(root, "etc/timezone");
    link_at(root, "etc/localtime", "../usr/share/zoneinfo/Europe/Kiev"); /* a link name */
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), 0);
    assert_string_equal(code, "UA");
    assert_string_equal(how, "time zone Europe/Kiev (/etc/localtime) \u2192 UA");
    /* Europe/Zurich is only in zone1970.tab ("CH,DE,LI"): its first country */
    drop(root, "etc/localtime");
    link_at(root, "etc/localtime", "/usr/share/zoneinfo/Europe/Zurich");
    assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
    assert_string_equal(code, "CH");
    tmptree_remove(root);
}

static void zoneinfo_symlinks_when_tzdata_zi_lacks_the_link(void **state) {
    char *root = tree();
    char code[24];
    char path[4096];
    snprintf(path, sizeof path, "%s/usr/share/zoneinfo/US", root);
    assert_int_equal(mkdir(path, 0755), 0);
    link_at(root, "usr/share/zoneinfo/US/Eastern", "../America/New_York");
    setenv("TZ", "US/Eastern", 1);
    assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), 0);
    assert_string_equal(code, "US");
    /* a link out of the tree leads nowhere */
    link_at(root, "usr/share/zoneinfo/Nowhere", "../../../../x/y");
    setenv("TZ", "Nowhere", 1);
    drop(root, "etc/timezone");
    assert_int_equal(aim__zone_guess(root, code, sizeof code, NULL, 0), -ENOENT);
    unsetenv("TZ");
    tmptree_remove(root);
}

static void nothing_matches(void **state) {
    char *root = tree();
    char code[24] = "untouched", how[64] = "untouched";
    drop(root, "etc/timezone");
    /* no TZ, no /etc/timezone, no /etc/localtime */
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), -ENOENT);
    /* UTC containers */
    link_at(root, "etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), -ENOENT);
    /* Antarctica/Troll is AQ in zone.tab, but AQ has no grid in the table */
    put(root, "etc/timezone", "Antarctica/Troll\n");
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), -ENOENT);
    /* a copied /etc/localtime (not a link) has lost its name */
    drop(root, "etc/timezone");
    drop(root, "etc/localtime");
    put(root, "etc/localtime", "TZif2...");
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), -ENOENT);
    assert_string_equal(code, "untouched");
    assert_string_equal(how, "untouched");
    /* no tzdata at all */
    put(root, "etc/timezone", "Europe/Paris\n");
    drop(root, "usr/share/zoneinfo/zone.tab");
    drop(root, "usr/share/zoneinfo/zone1970.tab");
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), -ENOENT);
    assert_int_equal(aim__zone_guess("/nonexistent-root", code, sizeof code, how, sizeof how),
                     -ENOENT);
    tmptree_remove(root);
}

static void small_buffers(void **state) {
    char *root = tree();
    char code[2] = "x", how[20];
    assert_int_equal(aim__zone_guess(root, code, sizeof code, how, sizeof how), -ENOBUFS);
    assert_string_equal(code, "x");
    char code3[3];
    assert_int_equal(aim__zone_guess(root, code3, sizeof code3, how, sizeof how), 0);
    assert_string_equal(code3, "FR");
    assert_string_equal(how, "time zone Europe/Pa"); /* cut, still NUL-terminated */
    assert_int_equal(aim__zone_guess(NULL, code3, sizeof code3, NULL, 0), -EINVAL);
    assert_int_equal(aim__zone_guess(root, NULL, 0, NULL, 0), -EINVAL);
    tmptree_remove(root);
}

static void name_parse(void **state) {
    char name[32];
    static const struct {
        const char *in, *out;
    } good[] = {
        { "Europe/Paris", "Europe/Paris" },
        { ":Europe/Paris", "Europe/Paris" },
        { "Europe/Paris\n", "Europe/Paris" },
        { "  America/Argentina/Buenos_Aires \n", "America/Argentina/Buenos_Aires" },
        { "/usr/share/zoneinfo/Asia/Kolkata", "Asia/Kolkata" },
        { "../usr/share/zoneinfo/posix/Etc/GMT+5", "Etc/GMT+5" },
        { "/usr/share/zoneinfo/right/UTC", "UTC" },
        { "/var/db/timezone/zoneinfo/Europe/Oslo", "Europe/Oslo" }, /* macOS layout */
        { "UTC", "UTC" },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(aim__tz_name_parse(good[i].in, name, sizeof name), 0);
        assert_string_equal(name, good[i].out);
    }
    static const char *const bad[] = {
        "", ":", "\n", "CET-1CEST,M3.5.0,M10.5.0/3", "/etc/localtime", "Europe/../etc",
        "Europe//Paris", "/usr/share/zoneinfo/", "Europe/Paris/", "Euro pe", "zoneinfo/",
        "<+03>-3",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(aim__tz_name_parse(bad[i], name, sizeof name), -EINVAL);
    assert_int_equal(aim__tz_name_parse("America/Argentina/ComodRivadavia", name, 8),
                     -ENAMETOOLONG);
}

static void tab_parse(void **state) {
    static const char tab[] = "# comment\tFR\tx\tEurope/Paris\n"
                              "\n"
                              "DE\t+5230+01322\tEurope/Berlin\tmost of Germany\n"
                              "CH,DE,LI\t+4723+00832\tEurope/Zurich\tB\xc3\xbcsingen\n"
                              "xx\t+0\tBad/Lower\n"
                              "FRA\t+0\tBad/Three\n"
                              "IN\t+2232+08822\tAsia/Kolkata";
    char cc[3];
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Europe/Berlin", cc), 0);
    assert_string_equal(cc, "DE");
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Europe/Zurich", cc), 0);
    assert_string_equal(cc, "CH");
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Asia/Kolkata", cc), 0);
    assert_string_equal(cc, "IN"); /* last line, no newline */
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Europe/Paris", cc), -ENOENT);
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Europe/Berli", cc), -ENOENT);
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Bad/Lower", cc), -ENOENT);
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 1, "Bad/Three", cc), -ENOENT);
    /* len is obeyed: the text is cut inside the Kolkata line */
    assert_int_equal(aim__tz_tab_country(tab, sizeof tab - 3, "Asia/Kolkata", cc), -ENOENT);

    static const char zi[] = "# version 2025b\n"
                             "Z Europe/Kyiv 2:2:4 - LMT 1880\n"
                             "L America/Regina Canada/Saskatchewan\n"
                             "L Etc/UTC UTC\n"
                             "L  Odd Spacing\n";
    char target[32];
    assert_int_equal(aim__tz_zi_link(zi, sizeof zi - 1, "Canada/Saskatchewan", target,
                                    sizeof target), 0);
    assert_string_equal(target, "America/Regina");
    assert_int_equal(aim__tz_zi_link(zi, sizeof zi - 1, "UTC", target, sizeof target), 0);
    assert_string_equal(target, "Etc/UTC");
    assert_int_equal(aim__tz_zi_link(zi, sizeof zi - 1, "Europe/Kyiv", target, sizeof target),
                     -ENOENT); /* a zone, not a link */
    assert_int_equal(aim__tz_zi_link(zi, sizeof zi - 1, "Spacing", target, sizeof target),
                     -ENOENT);
    assert_int_equal(aim__tz_zi_link(zi, sizeof zi - 1, "Canada/Saskatchewan", target, 8),
                     -ENAMETOOLONG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(etc_timezone),
        cmocka_unit_test(tz_comes_first_and_finds_provinces),
        cmocka_unit_test(no_country_falls_through),
        cmocka_unit_test(countryless_names_skip_tzdata),
        cmocka_unit_test(localtime_symlink),
        cmocka_unit_test(zoneinfo_symlinks_when_tzdata_zi_lacks_the_link),
        cmocka_unit_test(nothing_matches),
        cmocka_unit_test(small_buffers),
        cmocka_unit_test(name_parse),
        cmocka_unit_test(tab_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
