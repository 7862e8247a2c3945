/* The control protocol: what a process of the monitored tree may tell a running aimeter
 * (docs/control.md). One message per line, at most AIM_CONTROL_LINE_MAX bytes including the
 * newline, UTF-8 text without control characters:
 *   phase begin NAME        NAME is the rest of the line ("prefill", "epoch 3")
 *   phase end [NAME]        without NAME, the innermost open phase
 *   mark TEXT               an instant ("checkpoint saved")
 *   record KEY VALUE [counter|gauge]
 *                           KEY: 1-48 of [a-z0-9_.-], starting with a letter; VALUE: a
 *                           finite number, C locale; counters add (tokens, samples),
 *                           gauges replace (loss, latency); without a kind, the key decides
 *                           (aim__record_default_kind)
 *   ping                    answered "ok", for clients checking the socket
 *   run                     answered "ok RUN_ID STORE_PATH": which run the socket feeds
 *   job ID                  this connection's messages come from job ID (an agent's socket:
 *                           they are kept per job; a run's socket accepts and ignores it)
 *   job end | job status    the connection's job ends / its figures so far (agent only)
 *   job hold | job node     a joined run holds the job / the node's figures (agent only)
 *   job info KEY=VALUE...   root: the job's user, cgroup, node rank, ranks (model/job_info.h)
 * The parser is a pure function over the bytes of one line (without its newline); it never
 * reads past len, allocates nothing and names the problem in one line on error. */
#ifndef AIM_CONTROL_PROTO_H
#define AIM_CONTROL_PROTO_H

#include <stddef.h>

#define AIM_CONTROL_LINE_MAX 512
#define AIM_CONTROL_NAME_MAX 128 /* phase names and mark texts, bytes */
#define AIM_CONTROL_KEY_MAX 48
#define AIM_CONTROL_JOB_MAX 64 /* bytes of a job id */

typedef enum aim_control_op {
    AIM_CTL_PHASE_BEGIN,
    AIM_CTL_PHASE_END,
    AIM_CTL_MARK,
    AIM_CTL_RECORD,
    AIM_CTL_PING,
    AIM_CTL_RUN,
    AIM_CTL_JOB,        /* name: the job id */
    AIM_CTL_JOB_END,
    AIM_CTL_JOB_STATUS,
    AIM_CTL_JOB_HOLD,
    AIM_CTL_JOB_NODE,
    AIM_CTL_JOB_INFO,   /* info_off: where the KEY=VALUE words begin (model/job_info.h) */
    AIM_CTL_JOB_LEAVE,  /* a joined run's end: one hold of the job goes (engine/jobs.h) */
} aim_control_op;

typedef enum aim_record_kind { AIM_RECORD_GAUGE = 0, AIM_RECORD_COUNTER = 1 } aim_record_kind;

typedef struct aim_control_msg {
    aim_control_op op;
    char name[AIM_CONTROL_NAME_MAX + 1]; /* phase name / mark text / record key; "" for an
                                          * anonymous phase end, ping and run */
    double value;
    aim_record_kind kind;
    /* Set by the agent's control thread, not the parser: name starts with a job's scope
     * ("JOB: ") this many bytes long, within which a phase end applies (phases.h,
     * aim__phases_end_scoped); 0 for no job. */
    unsigned char scope_len;
    /* Set by the control thread when a job ends: this phase end closes every open phase of
     * the scope (aim__phases_end_scope), none of them being an error. */
    unsigned char scope_all;
    /* `job info`: the offset in the parsed line of its KEY=VALUE words (root only). */
    unsigned short info_off;
} aim_control_msg;

/* Parses one line (no newline; a trailing '\r' is allowed). Returns 0, or -EINVAL with one
 * line in err saying why. ret is untouched on error. */
int aim__control_parse(const char *line, size_t len, aim_control_msg *ret, char *err,
                      size_t errlen);

/* Whether a key is a valid record key (see above). */
int aim__record_key_valid(const char *key);
/* The length of a phase name's rank scope, "[rank N] " (another rank's phase, sent so by the
 * Python package: docs/python.md), or 0 for a name without one. */
size_t aim__control_rank_scope(const char *name);

/* Whether id is a valid job id: 1-64 bytes of A-Z a-z 0-9 _ . - : @ + [ ] (what SLURM, SGE,
 * PBS and LSF ids are made of), other than the words "end" and "status". */
int aim__job_id_valid(const char *id);

/* Counter for keys that count things (tokens, samples, requests, inferences, images, steps,
 * batches, items, and any key ending in "_total" or "_count"), gauge otherwise. */
aim_record_kind aim__record_default_kind(const char *key);

#endif
