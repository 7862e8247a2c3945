/* Moved to store/corr_store.h (issue 12): the store's operations are back-end neutral. This
 * forwarder keeps includes of the old path compiling until they are updated. */
#include "store/corr_store.h"
