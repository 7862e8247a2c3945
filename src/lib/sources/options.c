#include "sources/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

const char *aim__source_env_option(const aim_source_env *env, const char *key) {
    for (int i = 0; env && i < env->n_options; i++)
        if (strcmp(env->options[i].key, key) == 0)
            return env->options[i].value;
    return NULL;
}

static const aim_source_option *declared(const aim_source_ops *ops, const char *key) {
    for (const aim_source_option *o = ops->options; o && o->key; o++)
        if (strcmp(o->key, key) == 0)
            return o;
    return NULL;
}

static int scope_rank(const aim_source_ops *ops, const char *scope) {
    if (!ops->options)
        return 0;
    return strcmp(ops->name, scope) == 0 ? 2 : ops->vendor && strcmp(ops->vendor, scope) == 0;
}

int aim__source_option_rank(const aim_source_ops *ops, const char *scope, const char *key) {
    return scope && key && declared(ops, key) ? scope_rank(ops, scope) : 0;
}

/* The default rule: a value of one line. */
static int plain_value(const char *value) {
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return -EINVAL;
    return 0;
}

/* what, then the options of every source under scope (of every source when scope names
 * none): "...; nvml (nvidia) takes gpus; dcgm (nvidia) takes gpus, host". A wrong name's
 * message lists the right ones. */
static void say_valid(const char *scope, const char *what, char *err, size_t errlen) {
    int any = 0;
    for (int i = 0; scope && i < aim_source_count; i++)
        any |= scope_rank(aim_sources[i], scope) > 0;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append(&b, what);
    for (int i = 0; i < aim_source_count; i++) {
        const aim_source_ops *ops = aim_sources[i];
        if (!ops->options || (any && scope_rank(ops, scope) == 0))
            continue;
        aim__strbuf_printf(&b, "; %s", ops->name);
        if (ops->vendor)
            aim__strbuf_printf(&b, " (%s)", ops->vendor);
        aim__strbuf_append(&b, " takes");
        for (const aim_source_option *o = ops->options; o->key; o++)
            aim__strbuf_printf(&b, "%s %s", o == ops->options ? "" : ",", o->key);
    }
    char *text = NULL;
    snprintf(err, errlen, "%s", aim__strbuf_steal(&b, &text) == 0 ? text : what);
    free(text);
}

int aim__source_option_check(const char *scope, const char *key, const char *value, char *err,
                            size_t errlen) {
    int in_scope = 0, takes = 0;
    for (int i = 0; scope && i < aim_source_count; i++) {
        in_scope |= scope_rank(aim_sources[i], scope) > 0;
        takes |= aim__source_option_rank(aim_sources[i], scope, key) > 0;
    }
    char what[160];
    if (!in_scope || !takes) {
        if (!in_scope)
            snprintf(what, sizeof what, "no source takes options as '%s'", scope ? scope : "");
        else
            snprintf(what, sizeof what, "%s takes no option '%s'", scope, key ? key : "");
        say_valid(in_scope ? scope : NULL, what, err, errlen);
        return -ENOENT;
    }
    for (int i = 0; value && i < aim_source_count; i++) { /* NULL: back to the default */
        if (aim__source_option_rank(aim_sources[i], scope, key) == 0)
            continue;
        const aim_source_option *o = declared(aim_sources[i], key);
        if (!*value || (o->check ? o->check(value) : plain_value(value)) < 0) {
            snprintf(err, errlen, "bad %s option %s '%s': %s", scope, key, value,
                     o->description);
            return -EINVAL;
        }
    }
    return 0;
}
