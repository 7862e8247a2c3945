/* One control-socket line over arbitrary bytes: any process of the monitored tree may send
 * anything. A success must give a valid key for records and a bounded, printable name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/control_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aim_control_msg m;
    char err[96];
    /* The exact bytes, not a copy: the parser must respect len and never need a NUL. */
    if (aim__control_parse((const char *)data, size, &m, err, sizeof err) == 0) {
        size_t n = strnlen(m.name, sizeof m.name);
        if (n > AIM_CONTROL_NAME_MAX || (m.op == AIM_CTL_RECORD && !aim__record_key_valid(m.name)))
            abort();
        if (m.op == AIM_CTL_JOB && !aim__job_id_valid(m.name)) /* an agent's job label */
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)m.name[i] < 0x20)
                abort();
    }
    return 0;
}
