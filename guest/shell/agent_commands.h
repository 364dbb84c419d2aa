/* The shell's `agent` command (BASIC agents: start, list, stop, log). */
#ifndef XP10_SHELL_AGENT_COMMANDS_H
#define XP10_SHELL_AGENT_COMMANDS_H

#include "shell/shell.h"

void cmd_agent(struct shell *shell, int argc, char **argv, const char *rest);

#endif
