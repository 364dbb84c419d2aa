/* The shell's `xmodem` command (file transfer with the caller's terminal program). */
#ifndef XP10_SHELL_XMODEM_COMMAND_H
#define XP10_SHELL_XMODEM_COMMAND_H

#include "shell/shell.h"

void cmd_xmodem(struct shell *shell, int argc, char **argv, const char *rest);

#endif
