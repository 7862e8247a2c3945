/* aim_store_push_run (aimeter.h, issue 16): a stored run copied into another store by the
 * store's copier (store/copy_store.h), its message moved to the public handle. */
#include <errno.h>

#include "aimeter.h"
#include "api/store_error.h"
#include "store/copy_store.h"
#include "store/db.h"

int aim_store_push_run(aim_store *dest, aim_store *src, const char *run_id, unsigned flags,
                       aim_push_stats *ret_stats) {
    if (!dest)
        return -EINVAL;
    aim_db *to = aim__store_db(dest), *from = aim__store_db(src);
    if (!to || !from || !run_id || !*run_id || dest == src || (flags & ~AIM_PUSH_MIRROR)) {
        aim__store_set_error(dest, "%s", !to || !from ? "store not open"
                             : dest == src ? "a store cannot be pushed into itself"
                             : !run_id || !*run_id ? "no run given" : "unknown push flags");
        return -EINVAL;
    }
    /* By default the central store keeps the history the node's retention pruned or
     * downsampled away (docs/store.md, "Moving runs between stores"). */
    aim_copy_stats st;
    int r = aim__store_copy_run(from, to, run_id,
                                flags & AIM_PUSH_MIRROR ? 0 : AIM_COPY_KEEP_EXTRA, &st);
    if (r < 0) {
        aim__store_set_error(dest, "%s", aim__db_errmsg(to));
        return r;
    }
    if (ret_stats)
        *ret_stats = (aim_push_stats){
            .rows = (uint64_t)st.rows,
            .chunks_written = (uint64_t)st.chunks_written,
            .chunks_present = (uint64_t)st.chunks_present,
            .chunks_removed = (uint64_t)st.chunks_removed,
            .running = st.running,
            .chunks_kept = (uint64_t)st.chunks_kept,
        };
    return 0;
}
