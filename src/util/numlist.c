/* A line of numbers and NAME=NUMBER pairs (numlist.h). */
#include <errno.h>
#include <string.h>

#include "util/number.h"
#include "util/numlist.h"

int aim__numlist_parse(const char *text, int n_head, aim_numlist *ret) {
    if (!text || n_head < 0 || n_head > AIM_NUMLIST_HEAD)
        return -EINVAL;
    memset(ret, 0, sizeof *ret);
    const char *p = text;
    for (int i = 0; *p || i < n_head; i++) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            return i < n_head ? -EINVAL : 0; /* trailing spaces end the line */
        if (i < n_head) {
            if (aim__parse_decimal(p, n, 1, &ret->head[i]) < 0)
                return -EINVAL;
        } else {
            const char *eq = memchr(p, '=', n);
            size_t name_len = eq ? (size_t)(eq - p) : 0;
            if (name_len == 0 || name_len >= AIM_NUMLIST_NAME)
                return -EINVAL;
            double v;
            if (aim__parse_decimal(eq + 1, n - name_len - 1, 1, &v) < 0)
                return -EINVAL;
            if (ret->n_pairs < AIM_NUMLIST_PAIRS) {
                memcpy(ret->name[ret->n_pairs], p, name_len);
                ret->name[ret->n_pairs][name_len] = '\0';
                ret->value[ret->n_pairs++] = v;
            }
        }
        p += n;
    }
    return 0;
}
