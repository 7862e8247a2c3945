/* Tags as `aimeter run --tag KEY=VALUE` takes them: the text is split at the first '=' and
 * given to aim_config_add_tag; whatever is accepted must pass the validators again, fit its
 * fields, and be valid UTF-8 (it goes into JSON keys and values unchanged). The epoch-name
 * matcher of `aimeter forecast` gets the same bytes as a phase name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "aimeter.h"
#include "processing/forecast.h"
#include "model/run_tags.h"
#include "engine/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_cstr(data, size);
    aim_config *c = NULL;
    if (!text || aim_config_new(&c) < 0) {
        free(text);
        return 0;
    }
    char *eq = strchr(text, '=');
    if (eq) {
        *eq = '\0';
        if (aim_config_add_tag(c, text, eq + 1) == 0) {
            if (c->n_tags != 1 || !aim__tag_key_valid(c->tags[0].key) ||
                !aim__tag_value_valid(c->tags[0].value) || strcmp(c->tags[0].key, text) != 0 ||
                strcmp(c->tags[0].value, eq + 1) != 0)
                abort();
        }
        *eq = '=';
    }
    long k = aim__forecast_instance("epoch", text);
    if (k < AIM_INSTANCE_SAME || k > 999999999L)
        abort();
    aim_config_free(c);
    free(text);
    return 0;
}
