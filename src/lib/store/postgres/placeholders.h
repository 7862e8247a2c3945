/* The store's SQL numbers its parameters ?1, ?2, ... (store/sql/sql.h); PostgreSQL numbers
 * them $1, $2, ... Kept apart from the driver (no libpq here) so that fuzz/ can drive it. */
#ifndef AIM_STORE_PG_PLACEHOLDERS_H
#define AIM_STORE_PG_PLACEHOLDERS_H

#define AIM_PG_MAX_PARAMS 65535   /* the protocol's limit: a 16-bit count */

/* Copies sql to *ret (malloc'd) with every ?N as $N and every bare ? as the next number
 * after the highest so far (SQLite's rule), outside '...' strings, "..." identifiers,
 * -- and nested block comments, which are copied untouched. *ret_n: the highest number used.
 * -EINVAL for ?0 or a number above AIM_PG_MAX_PARAMS, -ENOMEM. */
int aim__pg_placeholders(const char *sql, char **ret, int *ret_n);

#endif
