/* The public face of the formats (aim_format_parse, aim_format_name: the names are the
 * renderer table's, report/renderers.c), the aim_error out-object, and aim_zone_resolve, an
 * object-less function that says why it failed through one. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "data/zone_history.h"
#include "report/renderers.h"
#include "util/text.h"

int aim_format_parse(const char *name, aim_format *ret) {
    if (!ret)
        return -EINVAL;
    return aim__render_format_parse(name, ret);
}

const char *aim_format_name(aim_format format) { return aim__render_format_name(format); }

void aim__error_clear(aim_error *e) {
    if (!e)
        return;
    e->code = 0;
    e->message[0] = '\0';
}

int aim__error_set(aim_error *e, int code, const char *fmt, ...) {
    if (!e)
        return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    aim__text_one_line(e->message);
    return code;
}

int aim__error_render_start(aim_error *e, char **ret_text, aim_output out, aim_format format) {
    char msg[sizeof e->message];
    aim__error_clear(e);
    if (!ret_text)
        return aim__error_set(e, -EINVAL, "no output given");
    if (aim__render_check(out, format, msg, sizeof msg) < 0)
        return aim__error_set(e, -EOPNOTSUPP, "%s", msg);
    return 0;
}

int aim_zone_resolve(const char *spec, aim_zone_info *ret_row, char *note, size_t notelen,
                     aim_error *ret_error) {
    aim_zone_spec s;
    char why[sizeof ret_error->message];
    aim__error_clear(ret_error);
    if (note && notelen)
        note[0] = '\0';
    if (!spec)
        return aim__error_set(ret_error, -EINVAL, "no zone given");
    int r = aim__zone_spec_resolve(spec, strlen(spec), &s, why, sizeof why);
    if (r < 0)
        return aim__error_set(ret_error, r, "%s", why);
    if (ret_row)
        *ret_row = s.row;
    if (note)
        aim__zone_spec_national_note(&s, note, notelen);
    return 0;
}
