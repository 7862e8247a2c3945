/* The page every kind of aimeter plot is drawn on (plot_page.h). PNG and PDF come from
 * PLplot's cairo drivers (antialiased, system fonts); SVG from PLplot's own svg driver, whose
 * text stays text (<text> elements: searchable, editable, checked by tests/e2e/test_plot*.py)
 * where cairo's would be outlines. Colours are the Okabe-Ito palette, which stays distinct
 * under the common colour-vision deficiencies. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <plplot.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/plot_page.h"
#include "util/utf8.h"

/* PLplot's state (the current stream, its options, the colour maps) is global. */
static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;
/* The text size of the chart being drawn (dpi / 100; under plot_lock). */
static double text_scale = 1.0;
/* The page's size in pixels (under plot_lock). */
static double page_width = 1, page_height = 1;

/* Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, vermillion,
 * blue, reddish purple, yellow, black. */
static const unsigned char okabe_ito[AIM_PLOT_PALETTE][3] = {
    { 230, 159, 0 }, { 86, 180, 233 }, { 0, 158, 115 }, { 213, 94, 0 },
    { 0, 114, 178 }, { 204, 121, 167 }, { 240, 228, 66 }, { 0, 0, 0 },
};

void aim__plot_palette_rgb(int i, int rgb[3]) {
    i = i < 0 ? 0 : i % AIM_PLOT_PALETTE;
    for (int k = 0; k < 3; k++)
        rgb[k] = okabe_ito[i][k];
}

double aim__plot_text_scale(void) { return text_scale; }

void aim__plot_text_size(double relative) { plschr(0, text_scale * relative); }

int aim__plot_format_from_path(const char *path, aim_plot_file_format *ret) {
    static const struct { const char *ext; aim_plot_file_format f; } exts[] = {
        { ".png", AIM_PLOT_PNG }, { ".svg", AIM_PLOT_SVG }, { ".pdf", AIM_PLOT_PDF },
    };
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
            if (strcasecmp(dot, exts[i].ext) == 0) {
                *ret = exts[i].f;
                return 0;
            }
    return -EOPNOTSUPP;
}

/* PLplot's default character height follows the page: (width + height) / 100 pixels with the
 * cairo and svg drivers (measured), times the text scale; plmtex's unit is 0.9 of it. */
double aim__plot_line_px(const aim_plot_style *st) {
    return 0.009 * (st->width + st->height) * st->dpi / 100.0;
}

/* The current character height in pixels: PLplot gives it in mm of a 72 dpi page, measured
 * here against the page's width (one subpage: pladv(0)). */
static double char_px(void) {
    PLFLT def, ht, xmin, xmax, ymin, ymax;
    plgchr(&def, &ht);
    plgspa(&xmin, &xmax, &ymin, &ymax);
    return xmax > xmin && ht > 0 ? ht * page_width / (xmax - xmin) : 10;
}

void aim__plot_mtex_px(const char *side, double px, double pos, double just, const char *text) {
    plmtex(side, px / (0.9 * char_px()), pos, just, text);
}

void aim__plot_viewport_px(double *width, double *height) {
    PLFLT x0, x1, y0, y1;
    plgvpd(&x0, &x1, &y0, &y1);
    *width = (x1 - x0) * page_width;
    *height = (y1 - y0) * page_height;
}

/* PLplot's plstrl is not public: the width is estimated from the characters (a code point
 * each, "##" one), each about 0.7 of the character height wide in the sans font the cairo
 * and svg drivers use (measured on metric names; wider than prose, it errs on the side of
 * room). */
double aim__plot_text_px(const char *text) {
    size_t chars = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        chars += (*c & 0xc0) != 0x80 && !(c[0] == '#' && c > (const unsigned char *)text &&
                                          c[-1] == '#');
    return (double)chars * 0.7 * char_px();
}

/* PLplot reads '#' as the start of an escape sequence; "##" is a '#'. Text that does not
 * fit is cut between code points (util/utf8.h) and ends with "...", so that the SVG stays
 * valid UTF-8 and the reader sees the cut; an invalid byte is drawn as '?'. */
void aim__plot_text(char *out, size_t size, const char *s) {
    static const char dots[] = "...";
    if (size == 0)
        return;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), cost = n, keep = 0, used = 0;
    for (size_t i = 0; i < n; i++)
        cost += s[i] == '#';
    /* what is kept: all of s when it fits, else what fits with the dots */
    size_t room = size - 1, budget = cost <= room ? room : room > 3 ? room - 3 : 0;
    while (keep < n) {
        size_t k = aim__utf8_seq(u + keep, n - keep), c = k ? k : 1;
        if (used + c + (s[keep] == '#') > budget)
            break;
        used += c + (s[keep] == '#');
        keep += c;
    }
    size_t o = 0;
    for (size_t i = 0; i < keep;) {
        size_t k = aim__utf8_seq(u + i, keep - i);
        if (k == 0) {
            out[o++] = '?';
            i++;
            continue;
        }
        if (s[i] == '#')
            out[o++] = '#';
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
    }
    if (keep < n)
        for (size_t d = 0; d < sizeof dots - 1 && o < room; d++)
            out[o++] = dots[d];
    out[o] = 0;
}

static double clamp_share(double px, double size, double max) {
    double share = px * text_scale / size;
    return share < max ? share : max;
}

void aim__plot_viewport(const aim_plot_style *st, double left_px, double right_px,
                        double bottom_px, double top_px) {
    /* the plot keeps half of the picture each way at least */
    plvpor(clamp_share(left_px, st->width, 0.3), 1 - clamp_share(right_px, st->width, 0.2),
           clamp_share(bottom_px, st->height, 0.35), 1 - clamp_share(top_px, st->height, 0.15));
}

void aim__plot_title_at(const aim_plot_style *st, double disp) {
    char title[600];
    aim__plot_text(title, sizeof title, st->title ? st->title : "");
    plcol0(AIM_PLOT_COL_FG);
    plmtex("t", disp, 0.5, 0.5, title);
}

void aim__plot_title(const aim_plot_style *st) { aim__plot_title_at(st, 2.3); }

void aim__plot_note(const char *note) {
    char text[300];
    aim__plot_text(text, sizeof text, note);
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.8);
    plmtex("t", 0.6, 1.0, 1.0, text);
    aim__plot_text_size(1.0);
}

void aim__plot_corner_note(const char *note) {
    char text[300];
    aim__plot_text(text, sizeof text, note);
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.75);
    /* the text's reference a line up from the page's edge: its descenders stay in */
    double line = 0.009 * (page_width + page_height) * text_scale;
    plptex(1 - 0.6 * line / page_width, 1.0 * line / page_height, 1, 0, 1, text);
    aim__plot_text_size(1.0);
}

void aim__plot_message(const char *message) {
    char text[300];
    aim__plot_text(text, sizeof text, message);
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.8);
    plmtex("t", -3.0, 0.5, 0.5, text);
    aim__plot_text_size(1.0);
}

/* AIMETER_TEST_PLOT_FAULT=exit: PLplot's error exit once the page is drawn, as on an
 * internal PLplot error; the tests check that an existing chart is left as it was. */
void plexit(PLCHAR_VECTOR errormsg);   /* PLplot's error exit (its private plplotP.h) */

static void test_fault(void) {
    const char *v = getenv("AIMETER_TEST_PLOT_FAULT");
    if (v && strcmp(v, "exit") == 0)
        plexit("AIMETER_TEST_PLOT_FAULT");
}

/* cairo (1.16) stamps a PDF with the time it was written, and ignores SOURCE_DATE_EPOCH:
 * the date's digits are overwritten in place with a fixed one of the same length (the
 * cross-reference offsets stay right), so that a chart drawn twice is the same file. */
static void fix_pdf_date(const char *path) {
    static const char key[] = "/CreationDate (D:", fixed[] = "20000101000000";
    FILE *f = fopen(path, "r+b");
    if (!f)
        return;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *data = size > 0 ? malloc((size_t)size) : NULL;
    if (data && fseek(f, 0, SEEK_SET) == 0 && fread(data, 1, (size_t)size, f) == (size_t)size) {
        char *at = memmem(data, (size_t)size, key, sizeof key - 1);
        if (at && (size_t)(at - data) + sizeof key - 1 + sizeof fixed - 1 <= (size_t)size &&
            fseek(f, (long)(at - data) + (long)sizeof key - 1, SEEK_SET) == 0)
            fwrite(fixed, 1, sizeof fixed - 1, f);
    }
    free(data);
    fclose(f);
}

/* The picture is drawn into a file of its own beside the chart (same directory, so that
 * rename() is atomic) and renamed onto it once complete: a draw that fails, or PLplot
 * ending the process, leaves an existing chart as it was. Set under plot_lock. */
static char drawing[PATH_MAX + 64];

/* PLplot's plexit() calls this, then exit(): nothing in PLplot's API prevents the exit
 * (only a longjmp out of the library, which would leave its global stream half-torn-down;
 * docs/decisions.md). The half-drawn file is removed; the status is EX_SOFTWARE (70, the
 * CLI's internal error). */
static int plplot_exit(const char *message) {
    (void)message;   /* PLplot prints it */
    if (drawing[0])
        unlink(drawing);
    return 70;
}

/* The chart's file, written through to a link's target; an existing one must be writable
 * (it is not opened for writing: that would empty it). -errno. */
static int target_of(const char *path, char *ret, size_t size, struct stat *st, int *exists) {
    char *real = realpath(path, NULL);
    int r = 0;
    *exists = real != NULL;
    if (*exists && stat(real, st) < 0)
        r = -errno;
    else if (*exists && S_ISDIR(st->st_mode))
        r = -EISDIR;
    else if (*exists && access(real, W_OK) < 0)
        r = -errno;
    else if ((size_t)snprintf(ret, size, "%s", real ? real : path) >= size)
        r = -ENAMETOOLONG;
    free(real);
    return r;
}

/* A new file beside target ("target.PID.N.tmp"), made with the existing chart's mode, else
 * with the umask's, as opening the chart itself would. Its name in ret. -errno. */
static int open_beside(const char *target, const struct stat *st, int exists, char *ret,
                       size_t size) {
    static atomic_uint counter;   /* threads may draw at once */
    for (int tries = 0; tries < 100; tries++) {
        if ((size_t)snprintf(ret, size, "%s.%ld.%u.tmp", target, (long)getpid(),
                             atomic_fetch_add(&counter, 1)) >= size)
            return -ENAMETOOLONG;
        int fd = open(ret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return -errno;
        if (exists)
            (void)fchmod(fd, st->st_mode & 07777);   /* best effort: the chart is drawn */
        close(fd);
        return 0;
    }
    return -EEXIST;
}

int aim__plot_page_draw(const aim_plot_style *st, const char *path, aim_plot_file_format format,
                        aim_plot_draw_fn draw, const void *model, char *err, size_t errsize) {
    static const char *const devices[] = { [AIM_PLOT_PNG] = "pngcairo",
                                           [AIM_PLOT_SVG] = "svg",
                                           [AIM_PLOT_PDF] = "pdfcairo" };
    /* PLplot exits the process when it cannot open its output: the file is made first */
    char target[PATH_MAX + 1], tmp[sizeof drawing];
    struct stat old;
    int exists = 0;
    int r = target_of(path, target, sizeof target, &old, &exists);
    if (r == 0)
        r = open_beside(target, &old, exists, tmp, sizeof tmp);
    if (r < 0) {
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(-r));
        return r;
    }
    pthread_mutex_lock(&plot_lock);
    memcpy(drawing, tmp, sizeof drawing);
    plsexit(plplot_exit);
    plsdev(devices[format]);
    plsfnam(tmp);
    plspage((PLFLT)st->dpi, (PLFLT)st->dpi, st->width, st->height, 0, 0);
    plscmap0n(AIM_PLOT_N_COLOURS);
    plscol0(AIM_PLOT_COL_BG, 255, 255, 255);
    plscol0(AIM_PLOT_COL_FG, 0, 0, 0);
    for (int i = 0; i < AIM_PLOT_PALETTE; i++)
        plscol0(AIM_PLOT_COL_SERIES + i, okabe_ito[i][0], okabe_ito[i][1], okabe_ito[i][2]);
    plscol0a(AIM_PLOT_COL_BAND, 128, 128, 128, 0.12);
    plscol0a(AIM_PLOT_COL_BAND2, 128, 128, 128, 0.22);
    plscol0(AIM_PLOT_COL_NOTE, 64, 64, 64);
    plscol0(AIM_PLOT_COL_UNDEF, 200, 200, 200);
    plscol0(AIM_PLOT_COL_GRID, 220, 220, 220);
    plscol0a(AIM_PLOT_COL_POINT, okabe_ito[4][0], okabe_ito[4][1], okabe_ito[4][2], 0.5);
    plinit();
    /* text scaled with the resolution asked (100 dpi: PLplot's default size) */
    text_scale = st->dpi / 100.0;
    page_width = st->width;
    page_height = st->height;
    aim__plot_text_size(1.0);
    pladv(0);
    draw(model, st);
    test_fault();
    plend();
    drawing[0] = 0;
    pthread_mutex_unlock(&plot_lock);
    if (format == AIM_PLOT_PDF)
        fix_pdf_date(tmp);
    if (rename(tmp, target) < 0) {
        int e = errno;
        unlink(tmp);
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(e));
        return -e;
    }
    return 0;
}
