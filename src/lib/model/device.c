/* Device kind names (device.h). */
#include "model/device.h"

const char *aim__device_kind_name(aim_device_kind kind) {
    static const char *const names[] = { "host", "cpu", "dram", "platform", "gpu", "other",
                                         "process" };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
