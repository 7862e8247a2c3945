/* aim_store_location_file (aimeter.h, issue 16): what a store location names, by the store
 * layer's own parser (aim__store_backend_for), so that the CLI and the library's checks that
 * need the store's file (an output that would overwrite it, a store that is not there yet)
 * read a location as aim_store_open does. aim_store_location_redact: the store layer's
 * redaction (store/redact.h), so that the CLI's own messages naming a location hide its
 * secrets exactly as the library's do. */
#include <errno.h>
#include <string.h>

#include "aimeter.h"
#include "store/redact.h"
#include "store/store.h"

int aim_store_location_file(const char *location, const char **ret_path) {
    if (!location || !*location)
        return -EINVAL;
    const aim_store_ops *ops;
    const char *where;
    int r = aim__store_backend_for(location, &ops, &where, NULL, 0);
    if (r < 0)
        return r;
    /* SQLite is the only back-end with a file; every other one is a server's. */
    if (strcmp(ops->name, "sqlite") != 0)
        return 0;
    if (ret_path)
        *ret_path = where;
    return 1;
}

int aim_store_location_redact(const char *location, char *buf, size_t size) {
    if (!buf || size == 0)
        return -EINVAL;
    aim__store_redact(location ? location : "", buf, size);
    return 0;
}
