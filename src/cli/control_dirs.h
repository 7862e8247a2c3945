/* The control socket's directory for `aimeter run`, and the removal of those that killed
 * runs left behind (control_dirs.c says exactly which). */
#ifndef AIM_CLI_CONTROL_DIRS_H
#define AIM_CLI_CONTROL_DIRS_H

/* Removes the stale control directories directly in base; how many. Never fails: what it
 * cannot check it leaves. */
int cli_clean_stale_control_dirs(const char *base);

#endif
