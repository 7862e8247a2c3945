/* Internal to store/sql/'s core files (sql_store.c, runs.c, chunks.c): the statements kept
 * prepared in aim_sql_store.cache, one slot each: those of the writer's path and of every
 * report. The other files of store/sql/ prepare theirs per call; one that comes to run often
 * takes a slot here. */
#ifndef AIM_SQL_CORE_H
#define AIM_SQL_CORE_H

#include "store/sql/sql_store.h"

enum aim_sql_slot {
    AIM_SQL_ST_RUN_INSERT, AIM_SQL_ST_DEVICE_INSERT, AIM_SQL_ST_SERIES_INSERT,
    AIM_SQL_ST_CHUNK_INSERT,
    AIM_SQL_ST_RUN_UPDATE, AIM_SQL_ST_DEVICE_UPDATE, AIM_SQL_ST_SERIES_UPDATE,
    AIM_SQL_ST_RUN_SELECT, AIM_SQL_ST_DEVICES_SELECT, AIM_SQL_ST_SERIES_SELECT,
    AIM_SQL_ST_RUN_LIST, AIM_SQL_ST_RUN_LIST_WHERE,
    AIM_SQL_ST_LAST, AIM_SQL_ST_EXACT, AIM_SQL_ST_PREFIX,
    AIM_SQL_ST_GROUP_COLUMNS, AIM_SQL_ST_GROUP_TICKS,
    AIM_SQL_ST_INTENSITY_INSERT, AIM_SQL_ST_PRICE_INSERT,
    AIM_SQL_ST_INTENSITY_SELECT, AIM_SQL_ST_PRICE_SELECT,
    AIM_SQL_ST_INTENSITY_COUNT, AIM_SQL_ST_PRICE_COUNT,
    AIM_SQL_ST__COUNT
};

/* The statement of slot, prepared from sql at its first use and kept until the store
 * closes. 0 or -errno (db's message set). */
int aim__sql_store_stmt(aim_db *db, int slot, const char *sql, aim_sql_stmt **ret);

#endif
