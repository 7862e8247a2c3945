/* The grid zone guessed from the system's time zone (zone_guess.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimeter.h"
#include "providers/zone_guess.h"
#include "util/fileio.h"

/* Time zones that lie (almost) wholly in one grid zone of the table: there the guess can be
 * finer than the country, and the difference matters (Saskatchewan's grid emits about nine
 * times Manitoba's). A zone shared by several provinces or states (America/Toronto: Ontario
 * and Quebec; America/Chicago) stays at the country. Links are listed when their name alone
 * says more than their target (America/Montreal is Quebec, its target Toronto is not). */
static const struct {
    const char *tz, *zone;
} subnational[] = {
    { "America/Regina", "CA-SK" },        { "America/Swift_Current", "CA-SK" },
    { "America/Winnipeg", "CA-MB" },      { "America/Edmonton", "CA-AB" },
    { "America/Vancouver", "CA-BC" },     { "America/Halifax", "CA-NS" },
    { "America/Glace_Bay", "CA-NS" },     { "America/Moncton", "CA-NB" },
    { "America/St_Johns", "CA-NL" },      { "America/Goose_Bay", "CA-NL" },
    { "America/Whitehorse", "CA-YT" },    { "America/Dawson", "CA-YT" },
    { "America/Yellowknife", "CA-NT" },   { "America/Inuvik", "CA-NT" },
    { "America/Iqaluit", "CA-NU" },       { "America/Montreal", "CA-QC" },
    { "Australia/Sydney", "AU-NSW" },     { "Australia/Broken_Hill", "AU-NSW" },
    { "Australia/Melbourne", "AU-VIC" },  { "Australia/Brisbane", "AU-QLD" },
    { "Australia/Lindeman", "AU-QLD" },   { "Australia/Adelaide", "AU-SA" },
    { "Australia/Perth", "AU-WA" },       { "Australia/Hobart", "AU-TAS" },
    { "Australia/Darwin", "AU-NT" },      { "Pacific/Honolulu", "US-HI" },
    { "America/Anchorage", "US-AK" },     { "America/Juneau", "US-AK" },
    { "America/Sitka", "US-AK" },         { "America/Nome", "US-AK" },
    { "America/Yakutat", "US-AK" },       { "America/Metlakatla", "US-AK" },
    { "America/Adak", "US-AK" },          { "Atlantic/Madeira", "PT-MA" },
    { "Asia/Urumqi", "CN-XJ" },
};

#define TZ_NAME_MAX 128
#define TZ_FILE_MAX (4u << 20) /* tzdata.zi is ~110 kB; anything this big is not tzdata */
#define TZ_HOPS 4              /* links of links do not exist in tzdata; be generous */

static int name_char_ok(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '/' || c == '_' || c == '-' || c == '+';
}

int aim__tz_name_parse(const char *text, char *ret_name, size_t size) {
    if (!text || !ret_name || !size)
        return -EINVAL;
    if (*text == ':') /* POSIX: TZ=":characters", implementation-defined, a file name */
        text++;
    size_t len = strcspn(text, "\n");
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
        len--;
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    /* A path: keep what follows the last "zoneinfo/", then drop posix/ or right/ (the same
     * zones with other leap-second handling). */
    const char *start = text;
    for (const char *p = text; p + 9 <= text + len; p++)
        if (memcmp(p, "zoneinfo/", 9) == 0)
            start = p + 9;
    if (start == text && len && *text == '/')
        return -EINVAL; /* some file outside zoneinfo: no name to go by */
    len -= (size_t)(start - text);
    for (int i = 0; i < 2; i++) {
        const char *prefix = i ? "right/" : "posix/";
        if (len > 6 && memcmp(start, prefix, 6) == 0)
            start += 6, len -= 6;
    }
    if (len == 0 || *start == '/' || start[len - 1] == '/')
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (!name_char_ok(start[i]))
            return -EINVAL; /* a POSIX rule ("CET-1CEST,M3.5.0"), "..", or garbage */
        if (start[i] == '/' && i + 1 < len && start[i + 1] == '/')
            return -EINVAL;
    }
    if (len >= size)
        return -ENAMETOOLONG;
    memcpy(ret_name, start, len);
    ret_name[len] = '\0';
    return 0;
}

/* The next line of text[*pos..len): its start and length, without the newline. */
static int next_line(const char *text, size_t len, size_t *pos, const char **ret_line,
                     size_t *ret_len) {
    if (*pos >= len)
        return 0;
    const char *line = text + *pos;
    const char *nl = memchr(line, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - line) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    *ret_line = line;
    *ret_len = n;
    return 1;
}

/* Field i (0-based) of a line whose fields are split by single sep characters, as tzdata
 * writes them; NULL when there are fewer fields or the field is empty. */
static const char *field(const char *line, size_t n, char sep, int i, size_t *ret_len) {
    size_t start = 0;
    for (int k = 0; k < i; k++) {
        const char *p = memchr(line + start, sep, n - start);
        if (!p)
            return NULL;
        start = (size_t)(p - line) + 1;
    }
    const char *p = memchr(line + start, sep, n - start);
    size_t end = p ? (size_t)(p - line) : n;
    if (end == start)
        return NULL;
    *ret_len = end - start;
    return line + start;
}

static int field_is(const char *f, size_t n, const char *s) {
    return f && strlen(s) == n && memcmp(f, s, n) == 0;
}

int aim__tz_tab_country(const char *text, size_t len, const char *name, char ret_cc[3]) {
    if (!text || !name || !ret_cc)
        return -EINVAL;
    size_t pos = 0, n, flen;
    const char *line;
    while (next_line(text, len, &pos, &line, &n)) {
        if (n == 0 || line[0] == '#')
            continue;
        /* Tabs only: the comments column may hold spaces. */
        const char *tz = field(line, n, '\t', 2, &flen);
        if (!field_is(tz, flen, name))
            continue;
        const char *cc = field(line, n, '\t', 0, &flen);
        if (!cc || flen < 2 || (flen > 2 && cc[2] != ','))
            continue;
        if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
            continue;
        ret_cc[0] = cc[0];
        ret_cc[1] = cc[1];
        ret_cc[2] = '\0';
        return 0;
    }
    return -ENOENT;
}

int aim__tz_zi_link(const char *text, size_t len, const char *name, char *ret_target,
                   size_t size) {
    if (!text || !name || !ret_target)
        return -EINVAL;
    size_t pos = 0, n, flen, tlen;
    const char *line;
    while (next_line(text, len, &pos, &line, &n)) {
        if (n < 2 || line[0] != 'L' || line[1] != ' ')
            continue;
        const char *link = field(line, n, ' ', 2, &flen);
        if (!field_is(link, flen, name))
            continue;
        const char *target = field(line, n, ' ', 1, &tlen);
        if (!target)
            continue;
        if (tlen >= size)
            return -ENAMETOOLONG;
        memcpy(ret_target, target, tlen);
        ret_target[tlen] = '\0';
        return 0;
    }
    return -ENOENT;
}

/* tzdata files, read on first need and kept for the rest of one guess. */
typedef struct tz_file {
    const char *rel;
    char *text; /* NULL: not read yet, or absent */
    size_t len;
    int tried;
} tz_file;

enum { TAB, TAB1970, ZI, N_FILES };

static int read_all(const char *path, char **ret_text, size_t *ret_len) {
    int fd = aim__open_ro(path);
    if (fd < 0)
        return fd;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)TZ_FILE_MAX) {
        close(fd);
        return -EINVAL;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) { /* the size may have changed since fstat: read what is there, up to cap */
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == cap - 1)
            break;
    }
    close(fd);
    buf[len] = '\0';
    *ret_text = buf;
    *ret_len = len;
    return 0;
}

static const tz_file *tz_get(const char *root, tz_file *files, int which) {
    tz_file *f = &files[which];
    if (!f->tried) {
        f->tried = 1;
        char path[PATH_MAX];
        if (aim__path_join(path, sizeof path, root, f->rel) == 0)
            read_all(path, &f->text, &f->len);
    }
    return f->text ? f : NULL;
}

/* Where the link name points, through tzdata.zi, else the symlink in the zoneinfo tree. */
static int follow_link(const char *root, tz_file *files, const char *name, char *ret,
                       size_t size) {
    const tz_file *zi = tz_get(root, files, ZI);
    if (zi && aim__tz_zi_link(zi->text, zi->len, name, ret, size) == 0)
        return 0;
    char rel[TZ_NAME_MAX + 32], path[PATH_MAX], target[PATH_MAX];
    snprintf(rel, sizeof rel, "usr/share/zoneinfo/%s", name);
    if (aim__path_join(path, sizeof path, root, rel) < 0)
        return -ENOENT;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
        return -ENOENT;
    target[n] = '\0';
    if (strstr(target, "zoneinfo/") || target[0] == '/')
        return aim__tz_name_parse(target, ret, size) == 0 ? 0 : -ENOENT;
    /* Relative to the link's own directory: "Kyiv" next to Europe/Kiev, "../America/New_York"
     * from US/Eastern. */
    char joined[TZ_NAME_MAX * 2 + 2];
    const char *slash = strrchr(name, '/');
    int dir = slash ? (int)(slash - name) : 0;
    const char *t = target;
    while (strncmp(t, "../", 3) == 0) {
        if (dir <= 0)
            return -ENOENT;
        t += 3;
        while (dir > 0 && name[dir - 1] != '/')
            dir--;
        dir = dir > 0 ? dir - 1 : 0;
    }
    if ((size_t)snprintf(joined, sizeof joined, "%.*s%s%s", dir, name, dir ? "/" : "", t) >=
        sizeof joined)
        return -ENOENT;
    return aim__tz_name_parse(joined, ret, size) == 0 ? 0 : -ENOENT;
}

/* Names that tzdata gives no country: those under Etc/, and their aliases (UTC is the usual time zone of
 * servers and containers). Answered without reading tzdata.zi (~110 kB) to find that the
 * alias leads to Etc/UTC, which no zone.tab row names either. */
static int countryless(const char *name) {
    static const char *const aliases[] = { "UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0",
                                           "Greenwich", "Universal", "Zulu", "Factory" };
    if (strncmp(name, "Etc/", 4) == 0)
        return 1;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i]) == 0)
            return 1;
    return 0;
}

/* Time zone name → zone row code. 0, or -ENOENT. */
static int tz_to_zone(const char *root, tz_file *files, const char *name,
                      const aim_zone_info **ret_zone) {
    char cur[TZ_NAME_MAX], next[TZ_NAME_MAX];
    snprintf(cur, sizeof cur, "%s", name);
    for (int hop = 0; hop <= TZ_HOPS; hop++) {
        if (countryless(cur))
            return -ENOENT;
        for (size_t i = 0; i < sizeof subnational / sizeof subnational[0]; i++)
            if (strcmp(cur, subnational[i].tz) == 0 &&
                aim_zone_lookup(subnational[i].zone, ret_zone) == 0)
                return 0;
        char cc[3];
        const tz_file *tab = tz_get(root, files, TAB), *tab1970 = NULL;
        if ((tab && aim__tz_tab_country(tab->text, tab->len, cur, cc) == 0) ||
            ((tab1970 = tz_get(root, files, TAB1970)) &&
             aim__tz_tab_country(tab1970->text, tab1970->len, cur, cc) == 0))
            return aim_zone_lookup(cc, ret_zone) == 0 ? 0 : -ENOENT;
        if (follow_link(root, files, cur, next, sizeof next) < 0)
            return -ENOENT;
        memcpy(cur, next, sizeof cur);
    }
    return -ENOENT;
}

/* The time zone name that source i gives, or -ENOENT. */
static int tz_from(const char *root, int i, char *name, size_t size) {
    char path[PATH_MAX], text[PATH_MAX];
    switch (i) {
    case 0: {
        const char *tz = getenv("TZ");
        return tz && aim__tz_name_parse(tz, name, size) == 0 ? 0 : -ENOENT;
    }
    case 1:
        if (aim__path_join(path, sizeof path, root, "etc/timezone") < 0 ||
            aim__read_text(path, text, sizeof text) < 0)
            return -ENOENT;
        return aim__tz_name_parse(text, name, size) == 0 ? 0 : -ENOENT;
    default: {
        if (aim__path_join(path, sizeof path, root, "etc/localtime") < 0)
            return -ENOENT;
        ssize_t n = readlink(path, text, sizeof text - 1);
        if (n <= 0)
            return -ENOENT; /* absent, or a copied file: its name is lost */
        text[n] = '\0';
        return aim__tz_name_parse(text, name, size) == 0 ? 0 : -ENOENT;
    }
    }
}

int aim__zone_guess(const char *root, char *ret_code, size_t size, char *ret_how,
                   size_t howsize) {
    if (!root || !ret_code)
        return -EINVAL;
    static const char *const origin[] = { "TZ", "/etc/timezone", "/etc/localtime" };
    tz_file files[N_FILES] = {
        [TAB] = { .rel = "usr/share/zoneinfo/zone.tab" },
        [TAB1970] = { .rel = "usr/share/zoneinfo/zone1970.tab" },
        [ZI] = { .rel = "usr/share/zoneinfo/tzdata.zi" },
    };
    int r = -ENOENT;
    for (int i = 0; i < 3; i++) {
        char name[TZ_NAME_MAX];
        const aim_zone_info *z;
        /* A source that names no country (TZ=UTC in a container whose /etc/timezone still
         * says where it is) does not stop the search. */
        if (tz_from(root, i, name, sizeof name) < 0 || tz_to_zone(root, files, name, &z) < 0)
            continue;
        if (strlen(z->code) >= size) {
            r = -ENOBUFS;
            break;
        }
        strcpy(ret_code, z->code);
        if (ret_how && howsize)
            snprintf(ret_how, howsize, "time zone %s (%s) \u2192 %s", name, origin[i], z->code);
        r = 0;
        break;
    }
    for (int i = 0; i < N_FILES; i++)
        free(files[i].text);
    return r;
}
