/* Names of the intensity vocabulary (intensity.h), for reports, the store and options. */
#include <errno.h>
#include <strings.h>

#include "model/intensity.h"

static const char *const signal_names[] = { "average", "marginal" };
static const char *const basis_names[] = { "lifecycle", "direct", "unknown" };

const char *aim__signal_name(aim_signal s) {
    return (unsigned)s < sizeof signal_names / sizeof signal_names[0] ? signal_names[s] : NULL;
}

const char *aim__basis_name(aim_basis b) {
    return (unsigned)b < sizeof basis_names / sizeof basis_names[0] ? basis_names[b] : NULL;
}

int aim__signal_parse(const char *text, aim_signal *ret) {
    for (unsigned i = 0; text && i < sizeof signal_names / sizeof signal_names[0]; i++)
        if (strcasecmp(text, signal_names[i]) == 0) {
            *ret = (aim_signal)i;
            return 0;
        }
    return -EINVAL;
}

int aim__basis_parse(const char *text, aim_basis *ret) {
    for (unsigned i = 0; text && i < sizeof basis_names / sizeof basis_names[0]; i++)
        if (strcasecmp(text, basis_names[i]) == 0) {
            *ret = (aim_basis)i;
            return 0;
        }
    return -EINVAL;
}
