/* top's curses view (top.h): the screen laid out by top_layout_screen, drawn line by line
 * with plain terminfo (no colours needed, so any terminal over SSH works), refreshed every
 * interval unless paused; keys read with a timeout so a key is answered at once. The fetch
 * runs in a thread of its own: a server that is slow or gone (a fetch may take its whole
 * timeout) never holds up a key, q included. SIGINT, SIGTERM and SIGHUP end the view like
 * q, so the terminal is given back (endwin) however top is stopped. */
#include <curses.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/top.h"

/* While a fetch is out, how often the loop looks for its answer between keys. */
#define TOP_POLL_MS 50

static volatile sig_atomic_t top_signal;

static void on_signal(int sig) {
    top_signal = sig;
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The fetch thread and what it hands over, under mu. */
typedef struct fetcher {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    top_fetch_fn fn;
    void *ctx;
    atomic_int cancel;   /* set at quit: the fetch out ends soon */
    int want, ready, quit;
    char *body;          /* the answer, or NULL with status set */
    char status[512];
} fetcher;

static void *fetch_thread(void *arg) {
    fetcher *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->want && !f->quit)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->quit)
            break;
        f->want = 0;
        pthread_mutex_unlock(&f->mu);
        char *body = NULL, status[sizeof f->status] = "";
        if (f->fn(f->ctx, &f->cancel, &body, status, sizeof status) < 0) {
            free(body);
            body = NULL;
        }
        pthread_mutex_lock(&f->mu);
        f->body = body;
        memcpy(f->status, status, sizeof status);
        f->ready = 1;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
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

/* An answer into the model and the status line; one that arrives while paused is dropped,
 * so that nothing on the screen moves until p is pressed again. */
static void take(fetcher *f, top_model *m, const top_screen *s, char *status, size_t size,
                 int interval_ms) {
    char why[512];
    if (s->paused) {
        free(f->body);
        f->body = NULL;
        return;
    }
    if (f->body) {
        top_model_apply(m, s->source, f->body, why, sizeof why);
        f->body = NULL;
    } else {
        snprintf(why, sizeof why, "%s", f->status);
    }
    /* The view keeps what it had and says that it tries again, first: the reason may be
     * longer than the line. */
    if (!why[0])
        status[0] = '\0';
    else
        snprintf(status, size,
                 interval_ms % 1000 ? "retrying every %d ms: %s" : "retrying every %d s: %s",
                 interval_ms % 1000 ? interval_ms : interval_ms / 1000, why);
}

int top_curses_run(top_fetch_fn fetch, void *ctx, top_model *m, const top_screen *init,
                   int interval_ms, int *ret_signal) {
    *ret_signal = 0;
    /* Ours before newterm, which then leaves them alone (it installs its own only where
     * the default is). No SA_RESTART: a signal cuts getch's wait short. */
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa = { .sa_handler = on_signal }, old[3];
    sigemptyset(&sa.sa_mask);
    top_signal = 0;
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &old[i]);
    /* newterm, not initscr: initscr exits the process when $TERM names no terminal. */
    SCREEN *scr = newterm(NULL, stdout, stdin);
    fetcher f = { .fn = fetch, .ctx = ctx };
    pthread_t th;
    sigset_t block, prev;
    sigemptyset(&block);
    for (int i = 0; i < 3; i++)
        sigaddset(&block, sigs[i]);
    /* The thread blocks the signals, so they reach this one, waiting in getch. */
    pthread_sigmask(SIG_BLOCK, &block, &prev);
    int started = scr && pthread_mutex_init(&f.mu, NULL) == 0;
    if (started && pthread_cond_init(&f.cv, NULL) != 0) {
        pthread_mutex_destroy(&f.mu);
        started = 0;
    }
    if (started && pthread_create(&th, NULL, fetch_thread, &f) != 0) {
        pthread_cond_destroy(&f.cv);
        pthread_mutex_destroy(&f.mu);
        started = 0;
    }
    pthread_sigmask(SIG_SETMASK, &prev, NULL);
    if (!started) {
        if (scr) {
            endwin();
            delscreen(scr);
        }
        for (int i = 0; i < 3; i++)
            sigaction(sigs[i], &old[i], NULL);
        return -1;
    }
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    char status[512] = "", shown[512];
    top_screen s = *init;
    s.status = shown;
    int64_t next = 0;
    int busy = 0;
    while (!top_signal) {
        pthread_mutex_lock(&f.mu);
        if (f.ready) {
            f.ready = busy = 0;
            take(&f, m, &s, status, sizeof status, interval_ms);
        }
        int64_t now = mono_ms();
        if (!s.paused && !busy && now >= next) {
            f.want = busy = 1;
            pthread_cond_signal(&f.cv);
            next = now + interval_ms;
        }
        pthread_mutex_unlock(&f.mu);
        top_clean_copy(shown, sizeof shown, status); /* it may quote the server */
        getmaxyx(stdscr, s.height, s.width);
        draw(m, &s);
        int64_t wait = busy ? TOP_POLL_MS : s.paused ? 1000 : next - mono_ms();
        timeout((int)(wait < 0 ? 0 : wait > 1000 ? 1000 : wait));
        int ch = getch();
        int was_paused = s.paused;
        if (key(ch, &s))
            break;
        if (was_paused && !s.paused)
            next = 0; /* resumed: fetch at once */
    }
    *ret_signal = (int)top_signal;
    endwin();
    delscreen(scr);
    /* The fetch out (if any) is cancelled: quitting waits for no server. */
    atomic_store(&f.cancel, 1);
    pthread_mutex_lock(&f.mu);
    f.quit = 1;
    pthread_cond_signal(&f.cv);
    pthread_mutex_unlock(&f.mu);
    pthread_join(th, NULL);
    free(f.body);
    pthread_cond_destroy(&f.cv);
    pthread_mutex_destroy(&f.mu);
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    return 0;
}
