/* A request to the Konomi core run for the shell (remote commands, xmodem's program store). */
#ifndef XP10_SHELL_REMOTE_JOB_H
#define XP10_SHELL_REMOTE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "agents/agents.h"
#include "shell/shell.h"

/* A zeroed job for `opcode`, or NULL when the heap is full. */
struct agent_job *remote_job_new(uint8_t opcode);
void remote_job_free(struct agent_job *job);
/* Runs the job on a shell agent; false (with the reason printed) on an error or Ctrl-C. */
bool remote_job_run(struct shell *shell, struct agent_job *job);
/* The same, printing nothing on an error (job->call.error tells which); Ctrl-C still prints. */
bool remote_job_run_quiet(struct shell *shell, struct agent_job *job);

#endif
