/* `basic` in the XP10 shell: runs an interpreter instance on the shell's console. */
#ifndef XP10_BASIC_CONSOLE_H
#define XP10_BASIC_CONSOLE_H

#include "shell/shell.h"

void basic_shell_command(struct shell *shell, int argc, char **argv, const char *rest);

#endif
