/* aimeter's own minimal declarations of the DCGM C ABI (libdcgm.so.4 / .so.3), written from
 * the facts in the shared hardware-interfaces reference (section B), not from NVIDIA's
 * headers: only what dcgm.c and the fake library of the tests use. Sizes are pinned with
 * static asserts so a mistyped member cannot silently shift a stride (DCGM hands out arrays
 * of these structs). LP64 only, as every DCGM release is. */
#ifndef AIM_DCGM_ABI_H
#define AIM_DCGM_ABI_H

#include <stdint.h>

/* Return codes (dcgmReturn_t, an int). */
#define AIM_DCGM_ST_OK 0
#define AIM_DCGM_ST_BADPARAM (-1)
#define AIM_DCGM_ST_GENERIC_ERROR (-3)
#define AIM_DCGM_ST_NOT_SUPPORTED (-6)
#define AIM_DCGM_ST_INIT_ERROR (-7)
#define AIM_DCGM_ST_UNINITIALIZED (-10)
#define AIM_DCGM_ST_NO_DATA (-14)
#define AIM_DCGM_ST_NOT_WATCHED (-16)
#define AIM_DCGM_ST_NO_PERMISSION (-17)
#define AIM_DCGM_ST_GPU_IS_LOST (-18)
#define AIM_DCGM_ST_CONNECTION_NOT_VALID (-21)
#define AIM_DCGM_ST_GPU_NOT_SUPPORTED (-22)
#define AIM_DCGM_ST_REQUIRES_ROOT (-29)
#define AIM_DCGM_ST_MODULE_NOT_LOADED (-33)
#define AIM_DCGM_ST_IN_USE (-34)
#define AIM_DCGM_ST_PROFILING_NOT_SUPPORTED (-36)
#define AIM_DCGM_ST_PROFILING_LIBRARY_ERROR (-37)
#define AIM_DCGM_ST_PROFILING_MULTI_PASS (-38)

/* Handles (dcgmHandle_t, dcgmGpuGrp_t, dcgmFieldGrp_t) are all uintptr_t. */
typedef uintptr_t aim_dcgm_handle;

/* MAKE_DCGM_VERSION(T, ver): the struct size in the low 24 bits, the version above. */
#define AIM_DCGM_VERSION(size, ver) ((unsigned int)((size) | ((unsigned long)(ver) << 24)))

#define AIM_DCGM_OPERATION_MODE_AUTO 1   /* DCGM runs its own update thread */
#define AIM_DCGM_OPERATION_MODE_MANUAL 2

#define AIM_DCGM_GROUP_EMPTY 1           /* dcgmGroupType_t */
#define AIM_DCGM_FE_GPU 1                /* dcgm_field_entity_group_t */
#define AIM_DCGM_MAX_NUM_DEVICES 32
#define AIM_DCGM_FV_FLAG_LIVE_DATA 1u    /* read the driver now, no watch needed */

/* dcgmStartEmbeddedV2Params_v2: accepted by DCGM 2.4 through 4.x (v3 only by >= 4.3). */
typedef struct aim_dcgm_embedded_params_v2 {
    unsigned int version;
    unsigned int op_mode;
    aim_dcgm_handle handle;      /* out */
    const char *log_file;        /* NULL: no log */
    int severity;
    unsigned int deny_list_count;
    const char *service_account; /* NULL */
    unsigned int deny_list[10];
} aim_dcgm_embedded_params_v2;
_Static_assert(sizeof(aim_dcgm_embedded_params_v2) == 80, "dcgmStartEmbeddedV2Params_v2");
#define AIM_DCGM_EMBEDDED_PARAMS_V2_VERSION AIM_DCGM_VERSION(80u, 2)

/* dcgmConnectV2Params_v2. */
typedef struct aim_dcgm_connect_params_v2 {
    unsigned int version;
    unsigned int persist_after_disconnect; /* 0: the engine drops our watches when we go */
    unsigned int timeout_ms;
    unsigned int address_is_unix_socket;
} aim_dcgm_connect_params_v2;
_Static_assert(sizeof(aim_dcgm_connect_params_v2) == 16, "dcgmConnectV2Params_v2");
#define AIM_DCGM_CONNECT_PARAMS_V2_VERSION AIM_DCGM_VERSION(16u, 2)

/* dcgmGroupEntityPair_t. */
typedef struct aim_dcgm_entity_pair {
    unsigned int entity_group; /* AIM_DCGM_FE_GPU */
    unsigned int entity_id;
} aim_dcgm_entity_pair;
_Static_assert(sizeof(aim_dcgm_entity_pair) == 8, "dcgmGroupEntityPair_t");

/* The value union: declared with its full 4096-byte blob so the element stride is right. */
typedef union aim_dcgm_value {
    int64_t i64;
    double dbl;
    char str[256];
    char blob[4096];
} aim_dcgm_value;

/* dcgmFieldValue_v2. */
typedef struct aim_dcgm_field_value_v2 {
    unsigned int version;
    unsigned int entity_group;
    unsigned int entity_id;
    unsigned short field_id;
    unsigned short field_type; /* 'd' double, 'i' int64, 's' string */
    int status;                /* a return code for this one value */
    unsigned int unused;
    int64_t ts;                /* microseconds since the epoch */
    aim_dcgm_value value;
} aim_dcgm_field_value_v2;
_Static_assert(sizeof(aim_dcgm_field_value_v2) == 4128, "dcgmFieldValue_v2");
_Static_assert(__builtin_offsetof(aim_dcgm_field_value_v2, value) == 32, "dcgmFieldValue_v2.value");
#define AIM_DCGM_FIELD_VALUE_V2_VERSION AIM_DCGM_VERSION(4128u, 2)

/* Blank sentinels: any value at or above these is a "no value" marker (blank, not found,
 * not supported, not permissioned), never a measurement. */
#define AIM_DCGM_FP64_BLANK 140737488355328.0 /* 2^47 */
#define AIM_DCGM_INT64_BLANK 0x7ffffffffffffff0LL
#define AIM_DCGM_FP64_NOT_SUPPORTED (AIM_DCGM_FP64_BLANK + 2.0)

/* Field ids (identical from DCGM 3.3.9 to 4.6.0). */
#define AIM_DCGM_FI_DEV_NAME 50
#define AIM_DCGM_FI_DEV_UUID 54
#define AIM_DCGM_FI_PROF_GR_ENGINE_ACTIVE 1001
#define AIM_DCGM_FI_PROF_SM_ACTIVE 1002
#define AIM_DCGM_FI_PROF_SM_OCCUPANCY 1003
#define AIM_DCGM_FI_PROF_PIPE_TENSOR_ACTIVE 1004
#define AIM_DCGM_FI_PROF_DRAM_ACTIVE 1005
#define AIM_DCGM_FI_PROF_PIPE_FP64_ACTIVE 1006
#define AIM_DCGM_FI_PROF_PIPE_FP32_ACTIVE 1007
#define AIM_DCGM_FI_PROF_PIPE_FP16_ACTIVE 1008
#define AIM_DCGM_FI_PROF_PCIE_TX_BYTES 1009   /* bytes per second */
#define AIM_DCGM_FI_PROF_PCIE_RX_BYTES 1010
#define AIM_DCGM_FI_PROF_NVLINK_TX_BYTES 1011 /* bytes per second, all links */
#define AIM_DCGM_FI_PROF_NVLINK_RX_BYTES 1012

/* The functions aimeter calls, filled by aim__dynlib_open from dcgm.c's symbol table. */
typedef struct aim_dcgm_api {
    int (*init)(void);
    int (*shutdown)(void);
    int (*start_embedded_v2)(aim_dcgm_embedded_params_v2 *params);
    int (*start_embedded)(int op_mode, aim_dcgm_handle *ret_handle); /* before DCGM 2.4 */
    int (*stop_embedded)(aim_dcgm_handle h);
    int (*connect_v2)(const char *address, aim_dcgm_connect_params_v2 *params,
                      aim_dcgm_handle *ret_handle);
    int (*disconnect)(aim_dcgm_handle h);
    int (*get_all_supported_devices)(aim_dcgm_handle h, unsigned int *gpu_ids, int *ret_count);
    int (*group_create)(aim_dcgm_handle h, int type, const char *name, aim_dcgm_handle *ret_group);
    int (*group_add_device)(aim_dcgm_handle h, aim_dcgm_handle group, unsigned int gpu_id);
    int (*group_destroy)(aim_dcgm_handle h, aim_dcgm_handle group);
    int (*field_group_create)(aim_dcgm_handle h, int n_fields, const unsigned short *field_ids,
                              const char *name, aim_dcgm_handle *ret_field_group);
    int (*field_group_destroy)(aim_dcgm_handle h, aim_dcgm_handle field_group);
    int (*watch_fields)(aim_dcgm_handle h, aim_dcgm_handle group, aim_dcgm_handle field_group,
                        long long update_freq_us, double max_keep_age_s, int max_keep_samples);
    int (*unwatch_fields)(aim_dcgm_handle h, aim_dcgm_handle group, aim_dcgm_handle field_group);
    int (*update_all_fields)(aim_dcgm_handle h, int wait_for_update);
    int (*entities_get_latest_values)(aim_dcgm_handle h, aim_dcgm_entity_pair *entities,
                                      unsigned int n_entities, unsigned short *field_ids,
                                      unsigned int n_fields, unsigned int flags,
                                      aim_dcgm_field_value_v2 *values);
    const char *(*error_string)(int result);
} aim_dcgm_api;

#endif
