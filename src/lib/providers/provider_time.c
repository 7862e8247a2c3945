/* The providers' clocks. (Their ISO 8601 timestamps are parsed and written by
 * util/iso8601.h.) */
#include <time.h>

#include "providers/provider_impl.h"

int64_t aim__prov_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t aim__prov_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
