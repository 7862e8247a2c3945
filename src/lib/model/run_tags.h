/* A run's tags: KEY=VALUE pairs given at the start (`aimeter run --tag`, aim_config_add_tag),
 * stored in the run_tags table (store/sql/tags_store.c) and read back into aim_run_summary.tags.
 * They are what `aimeter compare --by KEY` groups repeated runs by. */
#ifndef AIM_RUN_TAGS_H
#define AIM_RUN_TAGS_H

#include <stddef.h>

/* Limits, with the terminating NUL: a key is 1-63 bytes, a value 0-255. */
#define AIM_TAG_KEY_SIZE 64
#define AIM_TAG_VALUE_SIZE 256
/* Tags per run: enough for a job's coordinates and a sweep's parameters. */
#define AIM_MAX_TAGS 32

typedef struct aim_run_tag {
    char key[AIM_TAG_KEY_SIZE];
    char value[AIM_TAG_VALUE_SIZE];
} aim_run_tag;

/* 1 when key is 1-63 bytes of A-Z a-z 0-9 _ . - starting with a letter (one spelling for
 * the CLI, JSON keys, CSV columns and SQL values alike). */
int aim__tag_key_valid(const char *key);
/* 1 when value is 0-255 bytes of valid UTF-8 without control characters. */
int aim__tag_value_valid(const char *value);

#endif
