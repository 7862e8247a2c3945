/* The job tags' environment parser (engine/job_tags.h) over arbitrary bytes read as
 * NAME=VALUE lines: whatever a launcher (or a user) puts in SLURM_GTIDS, SLURM_NODEID,
 * GROUP_RANK, LOCAL_WORLD_SIZE and the job id variables. Every tag returned must be valid
 * (model/run_tags.h), "job" first, at most AIM_JOB_TAGS_MAX; the ranks folder alone, over the
 * whole input, must stay inside its buffer and say "0-3,8"-shaped text on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_tags.h"
#include "fuzz_util.h"
#include "model/run_tags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VARS 16

typedef struct env { char *name[MAX_VARS]; char *value[MAX_VARS]; int n; } env;

static const char *lookup(const char *name, void *ud) {
    const env *e = ud;
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->name[i], name) == 0)
            return e->value[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    char folded[64];
    if (aim__job_ranks_fold(text, folded, sizeof folded) == 0 &&
        (strnlen(folded, sizeof folded) == sizeof folded ||
         strspn(folded, "0123456789,-") != strlen(folded)))
        abort();
    env e = { .n = 0 };
    for (char *line = text, *next; line && e.n < MAX_VARS; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        e.name[e.n] = line;
        e.value[e.n++] = eq + 1;
    }
    aim_run_tag tags[AIM_JOB_TAGS_MAX];
    size_t n = aim__job_tags_from(lookup, &e, "run", "host", "user", tags);
    if (n > AIM_JOB_TAGS_MAX || (n > 0 && strcmp(tags[0].key, "job") != 0))
        abort();
    for (size_t i = 0; i < n; i++)
        if (!aim__tag_key_valid(tags[i].key) || !aim__tag_value_valid(tags[i].value))
            abort();
    free(text);
    return 0;
}
