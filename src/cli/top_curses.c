/* top's curses view (top.h): the screen laid out by top_layout_screen, drawn line by line
 * with plain terminfo (no colours needed, so any terminal over SSH works), refreshed every
 * interval unless paused; keys read with a timeout so a key is answered at once. */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/top.h"

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw(const top_model *m, const top_screen *s) {
    aim_strbuf b = AIM_STRBUF_INIT;
    top_layout_screen(m, s, &b);
    erase();
    if (b.data && !b.err) {
        int y = 0;
        for (char *line = b.data, *nl; *line && y < s->height; line = nl + 1, y++) {
            nl = strchr(line, '\n');
            if (!nl)
                break;
            *nl = '\0';
            int last = nl[1] == '\0';
            /* The title and the status line stand out; bold and reverse are in every
             * terminfo entry worth the name. */
            attr_t a = y == 0 ? A_BOLD : last && *line ? A_REVERSE : A_NORMAL;
            attron(a);
            mvaddstr(last ? s->height - 1 : y, 0, line);
            attroff(a);
        }
    }
    aim__strbuf_free(&b);
    refresh();
}

/* A key: 1 to quit. */
static int key(int ch, top_screen *s) {
    if (s->help && ch != ERR && ch != KEY_RESIZE) {
        s->help = 0; /* any key closes the help, and does what it says */
        if (ch == '?' || ch == 'h')
            return 0;
    }
    switch (ch) {
    case 'q': case 'Q': return 1;
    case 'p': case 'P': case ' ': s->paused = !s->paused; break;
    case 'd': case '1': s->view = TOP_VIEW_DEVICES; break;
    case 'm': case '2': s->view = TOP_VIEW_METRICS; break;
    case 'r': case '3': s->view = TOP_VIEW_RUNS; break;
    case '\t': case 'v': s->view = (top_view)((s->view + 1) % TOP_VIEW__COUNT); break;
    case 's': s->sort = (top_sort)((s->sort + 1) % TOP_SORT__COUNT); break;
    case '?': case 'h': s->help = 1; break;
    default: break;
    }
    return 0;
}

int top_curses_run(top_fetch_fn fetch, void *ctx, top_model *m, const top_screen *init,
                   int interval_ms) {
    /* newterm, not initscr: initscr exits the process when $TERM names no terminal. */
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr)
        return -1;
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    char status[512] = "";
    top_screen s = *init;
    s.status = status;
    int64_t next = 0;
    for (;;) {
        int64_t now = mono_ms();
        if (!s.paused && now >= next) {
            fetch(ctx, m, status, sizeof status);
            /* The view keeps what it had and says that it tries again, first: the
             * reason may be longer than the line. */
            if (status[0]) {
                char why[sizeof status];
                snprintf(why, sizeof why, "%s", status);
                snprintf(status, sizeof status,
                         interval_ms % 1000 ? "retrying every %d ms: %s" : "retrying every %d s: %s",
                         interval_ms % 1000 ? interval_ms : interval_ms / 1000, why);
            }
            next = now + interval_ms;
        }
        getmaxyx(stdscr, s.height, s.width);
        draw(m, &s);
        int64_t wait = s.paused ? 1000 : next - mono_ms();
        timeout((int)(wait < 0 ? 0 : wait > 1000 ? 1000 : wait));
        if (key(getch(), &s))
            break;
    }
    endwin();
    delscreen(scr);
    return 0;
}
