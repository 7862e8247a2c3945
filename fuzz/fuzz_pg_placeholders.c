/* The PostgreSQL driver's parameter translator (store/postgres/placeholders.c): ?N and bare ?
 * to $N outside quotes, identifiers and comments. Whatever it accepts must come out with no
 * parameter left to translate (a second pass changes nothing and finds none), the highest
 * number within the protocol's limit, and text without a '?' unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "store/postgres/placeholders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *sql = fuzz_copy_cstr(data, size);
    if (!sql)
        return 0;
    char *out = NULL;
    int n = -1;
    if (aim__pg_placeholders(sql, &out, &n) == 0) {
        if (n < 0 || n > AIM_PG_MAX_PARAMS)
            abort();
        if (!strchr(sql, '?') && (n != 0 || strcmp(out, sql) != 0))
            abort();
        char *again = NULL;
        int n2 = -1;
        if (aim__pg_placeholders(out, &again, &n2) != 0 || n2 != 0 || strcmp(again, out) != 0)
            abort();
        free(again);
        free(out);
    }
    free(sql);
    return 0;
}
