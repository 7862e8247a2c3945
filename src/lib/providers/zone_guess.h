/* The grid zone guessed offline from the system's time zone, for runs given no zone: the
 * time zone says the country (tzdata's zone.tab), and for a few time zones that lie in one
 * province or state, the sub-national zone (America/Regina is Saskatchewan). tzdata is read
 * where the system keeps it, never copied into aimeter. */
#ifndef AIM_ZONE_GUESS_H
#define AIM_ZONE_GUESS_H

#include <stddef.h>

/* Tries, in order, $TZ, <root>/etc/timezone and the target of the <root>/etc/localtime
 * symlink; the first IANA name that leads to a row of the zone table wins. Names are
 * followed through tzdata's links (<root>/usr/share/zoneinfo/tzdata.zi, or the symlinks
 * there) and looked up in zone.tab, then zone1970.tab (its first country). root is "/"
 * normally, a fixture tree in tests.
 *
 * Writes the zone code (as the table spells it, e.g. "FR") into ret_code and, when ret_how
 * is not NULL, a one-line explanation for the report into ret_how ("time zone Europe/Paris
 * (/etc/timezone) → FR"; UTF-8, cut to howsize). Returns 0; -ENOENT when nothing matches
 * (no time zone set, UTC or Etc/..., which say no country, or a country not in the table):
 * the caller then uses the world average; -ENOBUFS when ret_code is too small (24 bytes are
 * always enough); -EINVAL for NULL arguments. Touches nothing on failure. Safe from any
 * thread that does not race a setenv(). */
int aim__zone_guess(const char *root, char *ret_code, size_t size, char *ret_how,
                   size_t howsize);

/* The pieces, exposed for the tests and the fuzz target. None reads past len. */

/* The IANA name in a $TZ value (":Europe/Paris"), an /etc/timezone file's text or an
 * /etc/localtime link target ("../usr/share/zoneinfo/posix/Europe/Paris"): "Europe/Paris".
 * -EINVAL when the text names no zone file (a POSIX rule such as "CET-1CEST", a path outside
 * zoneinfo, odd characters), -ENAMETOOLONG when it does not fit. */
int aim__tz_name_parse(const char *text, char *ret_name, size_t size);

/* The country of time zone name in the text of zone.tab ("FR<TAB>+4852+00220<TAB>
 * Europe/Paris") or zone1970.tab (a comma-separated list, of which the first is taken).
 * Writes two upper-case letters and a NUL into ret_cc. -ENOENT when absent. */
int aim__tz_tab_country(const char *text, size_t len, const char *name, char ret_cc[3]);

/* The target of link name in the text of tzdata.zi ("L America/Regina Canada/Saskatchewan").
 * -ENOENT when name is not a link there, -ENAMETOOLONG when the target does not fit. */
int aim__tz_zi_link(const char *text, size_t len, const char *name, char *ret_target,
                   size_t size);

#endif
