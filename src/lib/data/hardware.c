/* CPU model -> TDP, by whole-token matching of /proc/cpuinfo's "model name" against the
 * CodeCarbon table (the rule is stated in hardware.h). Token matching, not substring search,
 * because model numbers are prefixes of each other: "Gold 6248" must not find "6248R". */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "data/hardware.h"
#include "data/tables.h"

#define MAX_TEXT 256
#define MAX_TOKENS 32

typedef struct token_list {
    char text[MAX_TEXT];
    const char *tok[MAX_TOKENS];
    size_t len[MAX_TOKENS];
    int n;
    size_t chars; /* sum of token lengths: the tie-breaker between equal token counts */
} token_list;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Replaces every case-insensitive occurrence of mark with blanks ("Core(TM)2" -> "Core 2",
 * which is how the table spells it). */
static void blank_out(char *s, const char *mark) {
    size_t n = strlen(mark);
    for (char *p = s; *p; p++)
        if (strncasecmp(p, mark, n) == 0)
            memset(p, ' ', n);
}

static int dropped_token(const char *t, size_t len) {
    if ((len == 3 && strncasecmp(t, "CPU", 3) == 0) ||
        (len == 9 && strncasecmp(t, "Processor", 9) == 0))
        return 1;
    /* "<N>-Core", as in "AMD EPYC 7763 64-Core Processor" */
    size_t d = 0;
    while (d < len && is_digit(t[d]))
        d++;
    return d > 0 && len - d == 5 && strncasecmp(t + d, "-Core", 5) == 0;
}

static void tokenize(const char *in, token_list *out) {
    size_t n = strlen(in);
    if (n >= sizeof out->text)
        n = sizeof out->text - 1; /* model names are < 100 characters; a longer one is cut */
    memcpy(out->text, in, n);
    out->text[n] = '\0';
    blank_out(out->text, "(R)");
    blank_out(out->text, "(TM)");
    char *at = strchr(out->text, '@'); /* "@ 2.50GHz": the clock is not part of the model */
    if (at)
        *at = '\0';
    out->n = 0;
    out->chars = 0;
    const char *p = out->text;
    while (*p && out->n < MAX_TOKENS) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',')
            p++;
        size_t len = (size_t)(p - start);
        if (len == 0 || dropped_token(start, len))
            continue;
        out->tok[out->n] = start;
        out->len[out->n] = len;
        out->n++;
        out->chars += len;
    }
}

static int token_equal(const token_list *a, int i, const token_list *b, int j) {
    return a->len[i] == b->len[j] && strncasecmp(a->tok[i], b->tok[j], a->len[i]) == 0;
}

static int has_token(const token_list *l, const char *word) {
    size_t n = strlen(word);
    for (int i = 0; i < l->n; i++)
        if (l->len[i] == n && strncasecmp(l->tok[i], word, n) == 0)
            return 1;
    return 0;
}

/* 1 when entry's tokens occur in name, in order and adjacent. */
static int contains_run(const token_list *name, const token_list *entry) {
    if (entry->n == 0 || entry->n > name->n)
        return 0;
    for (int start = 0; start + entry->n <= name->n; start++) {
        int k = 0;
        while (k < entry->n && token_equal(name, start + k, entry, k))
            k++;
        if (k == entry->n)
            return 1;
    }
    return 0;
}

/* A cheap necessary condition, checked before tokenising an entry: a matching entry's last
 * plain token is one of the name's tokens. Entries whose last chunk cannot be judged without
 * the full rules (it holds "(R)"-style marks or is a dropped word) always pass. Without this,
 * one lookup tokenised all ~4,900 rows and cost milliseconds at every run's start. */
static int may_match(const token_list *name, const char *model) {
    const char *end = strchr(model, '@');
    if (!end)
        end = model + strlen(model);
    while (end > model && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == ','))
        end--;
    const char *start = end;
    while (start > model && start[-1] != ' ' && start[-1] != '\t' && start[-1] != ',')
        start--;
    size_t len = (size_t)(end - start);
    if (len == 0 || memchr(start, '(', len) || dropped_token(start, len))
        return 1;
    for (int i = 0; i < name->n; i++)
        if (name->len[i] == len && strncasecmp(name->tok[i], start, len) == 0)
            return 1;
    return 0;
}

const char *aim__cpu_tdp_model(const aim_cpu_tdp *t) { return aim_cpu_tdp_names + t->model; }
const char *aim__cpu_tdp_source(const aim_cpu_tdp *t) { return aim_cpu_tdp_origins[t->origin].source; }
const char *aim__cpu_tdp_licence(const aim_cpu_tdp *t) { return aim_cpu_tdp_origins[t->origin].licence; }

static int lookup_uncached(const char *model_name, const aim_cpu_tdp **ret);

/* The estimate source asks twice per run (its model and the report's model line) for the same
 * name: remember the last answer. */
int aim__cpu_tdp_lookup(const char *model_name, const aim_cpu_tdp **ret) {
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char last_name[MAX_TEXT];
    static const aim_cpu_tdp *last_result;
    static int last_rc, have_last;
    if (!model_name || !ret)
        return -EINVAL;
    pthread_mutex_lock(&lock);
    int rc;
    const aim_cpu_tdp *found = NULL;
    if (have_last && strncmp(last_name, model_name, sizeof last_name) == 0) {
        rc = last_rc;
        found = last_result;
    } else {
        rc = lookup_uncached(model_name, &found);
        if (strlen(model_name) < sizeof last_name) {
            strcpy(last_name, model_name);
            last_rc = rc;
            last_result = found;
            have_last = 1;
        }
    }
    pthread_mutex_unlock(&lock);
    if (rc == 0)
        *ret = found;
    return rc;
}

static int lookup_uncached(const char *model_name, const aim_cpu_tdp **ret) {
    token_list name, entry;
    tokenize(model_name, &name);
    if (name.n == 0)
        return -EINVAL;
    int intel = has_token(&name, "Intel");
    const aim_cpu_tdp *best = NULL;
    int best_n = 0;
    size_t best_chars = 0;
    for (size_t i = 0; i < aim_cpu_tdp_table_count; i++) {
        const char *model = aim__cpu_tdp_model(&aim_cpu_tdp_table[i]);
        if (!may_match(&name, model))
            continue;
        tokenize(model, &entry);
        if (!contains_run(&name, &entry))
            continue;
        if (intel && !has_token(&entry, "Intel") && !has_token(&entry, "AMD"))
            continue;
        if (entry.n > best_n || (entry.n == best_n && entry.chars > best_chars)) {
            best = &aim_cpu_tdp_table[i];
            best_n = entry.n;
            best_chars = entry.chars;
        }
    }
    if (!best)
        return -ENOENT;
    *ret = best;
    return 0;
}
