/* `aimeter run` joining the node's agent (docs/agent.md, "aimeter run on an agent's node"):
 * the command is registered as a job, its clients are pointed at the agent, and what the
 * agent measured over its time is printed at the end. agent_join.c. */
#ifndef AIM_CLI_AGENT_JOIN_H
#define AIM_CLI_AGENT_JOIN_H

#include <stddef.h>

#include "cli/cli.h"

typedef struct cli_join {
    aim_control_client *client;
    char sock[108];
    char job[72];
    char name[129];
    char run[512];       /* the agent's "RUN_ID STORE_PATH" */
    char start[512];     /* the node's figures when the command started (`job hold`) */
} cli_join;

/* 1 when an agent answers on the node's agent socket (its path into sock). */
int cli_agent_find(char *sock, size_t size);
/* Registers the job (the batch job's id from the environment, else run-PID), opens the
 * phase `name` in it and sets AIMETER_CONTROL and AIMETER_JOB for the command. -1 when the
 * agent stopped answering. */
int cli_join_begin(cli_join *jn, const char *sock, const char *name);
/* Ends the phase, leaves the job (which ends when no other joined run holds it) and prints
 * the agent's figures over the command's time on stderr (quiet >= 2: nothing): the node's
 * figures at the end minus those at the start, or one line when the agent restarted in
 * between (the two readings then belong to different agent processes). */
void cli_join_end(cli_join *jn, int quiet);

#endif
