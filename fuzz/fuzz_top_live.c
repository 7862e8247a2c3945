/* `aimeter top` reading /api/live (src/cli/top_model.c) over arbitrary bytes: the answer
 * comes from whatever listens on the port. A parse that succeeds twice (history carried)
 * must lay out within the screen: no line wider than the width, no more lines than the
 * height, no control character (C0, DEL or C1) reaching the terminal, and valid UTF-8 (no
 * character cut in half). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_screen(const top_model *m, top_view view, int utf8) {
    top_screen s = { .view = view, .width = 60, .height = 12, .utf8 = utf8, .source = "x",
                     .status = "" };
    aim_strbuf b = AIM_STRBUF_INIT;
    top_layout_screen(m, &s, &b);
    int lines = 0;
    size_t col = 0;
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if (c == '\n') {
            lines++;
            col = 0;
            continue;
        }
        if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < b.len &&
                                      (unsigned char)b.data[i + 1] < 0xa0))
            abort();
        if ((c & 0xc0) != 0x80 && ++col > (size_t)s.width)
            abort();
    }
    if (lines != s.height || !aim__utf8_valid(b.data, b.len))
        abort();
    aim__strbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    top_model m = { 0 };
    char err[256];
    for (int round = 0; round < 2; round++)
        if (top_model_update(&m, (const char *)data, size, err, sizeof err) < 0)
            break;
    if (m.have) {
        for (int v = 0; v < TOP_VIEW__COUNT; v++)
            check_screen(&m, (top_view)v, v & 1);
        top_screen s = { .source = "x" };
        aim_strbuf b = AIM_STRBUF_INIT;
        top_layout_plain(&m, &s, &b);
        for (size_t i = 0; i < b.len; i++)
            if ((unsigned char)b.data[i] < 0x20 && b.data[i] != '\n')
                abort();
        aim__strbuf_free(&b);
    }
    top_model_clear(&m);
    return 0;
}
