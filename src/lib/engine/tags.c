/* Run tags in the configuration (aim_config_add_tag, aim_config_clear_tags) and the rules
 * for their keys and values (model/run_tags.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/run_tags.h"
#include "engine/config.h"
#include "util/utf8.h"

int aim__tag_key_valid(const char *key) {
    if (!key)
        return 0;
    size_t n = strlen(key);
    if (n == 0 || n >= AIM_TAG_KEY_SIZE)
        return 0;
    if (!((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z')))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int aim__tag_value_valid(const char *value) {
    if (!value || strlen(value) >= AIM_TAG_VALUE_SIZE)
        return 0;
    const unsigned char *p = (const unsigned char *)value;
    while (*p) {
        if (*p < 0x20 || *p == 0x7F)
            return 0;
        size_t n = aim__utf8_seq(p, 4); /* a NUL ends any sequence early */
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}

int aim_config_add_tag(aim_config *c, const char *key, const char *value) {
    if (!c)
        return -EINVAL;
    if (!aim__tag_key_valid(key) || !aim__tag_value_valid(value)) {
        snprintf(c->errmsg, sizeof c->errmsg, "%s",
                 !aim__tag_key_valid(key)
                     ? "bad tag key: 1-63 of A-Z a-z 0-9 _ . -, starting with a letter"
                     : "bad tag value: 0-255 bytes of UTF-8 without control characters");
        return -EINVAL;
    }
    int i = 0;
    while (i < c->n_tags && strcmp(c->tags[i].key, key) != 0)
        i++;
    if (i == c->n_tags) {
        if (c->n_tags == AIM_MAX_TAGS) {
            snprintf(c->errmsg, sizeof c->errmsg, "at most %d tags", AIM_MAX_TAGS);
            return -E2BIG;
        }
        c->n_tags++;
    }
    /* Lengths checked above: the copies fit. */
    memcpy(c->tags[i].key, key, strlen(key) + 1);
    memcpy(c->tags[i].value, value, strlen(value) + 1);
    return 0;
}

int aim_config_clear_tags(aim_config *c) {
    if (!c)
        return -EINVAL;
    c->n_tags = 0;
    return 0;
}

const char *aim__config_job_id(const aim_config *c) {
    static const char *const keys[] = { "job", "slurm_job", "pbs_job", "sge_job" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (int i = 0; i < c->n_tags; i++)
            if (strcmp(c->tags[i].key, keys[k]) == 0 && c->tags[i].value[0])
                return c->tags[i].value;
    return NULL;
}
