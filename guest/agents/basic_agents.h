/* BASIC agents: saved XP10 BASIC programs running as kernel tasks of their own, beside the
 * shell. An agent belongs to the machine, not to the call that started it: it keeps running
 * after the caller hangs up. Each has its own interpreter with its own memory budget (so
 * ?OUT OF MEMORY stops that agent only), is preempted like every task (a `10 GOTO 10` agent
 * leaves the shell answering), writes its PRINT output to a log ring instead of a console,
 * and reaches the Konomi core over the COM1 link directly (its task blocks, nobody else). */
#ifndef XP10_AGENTS_BASIC_AGENTS_H
#define XP10_AGENTS_BASIC_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BASIC_AGENT_MAX 6          /* tasks are 16 in all; the kernel's own use 8 */
#define BASIC_AGENT_LOG 2048u      /* bytes of recent output kept per agent */
#define BASIC_AGENT_ERROR_MAX 64u
#define BASIC_AGENT_NAME_MAX 32u

enum basic_agent_state { AGENT_FREE, AGENT_STARTING, AGENT_RUNNING, AGENT_ENDED, AGENT_FAILED, AGENT_STOPPED };

struct basic_agent_info {
    int id;
    char name[BASIC_AGENT_NAME_MAX + 1];
    enum basic_agent_state state;
    uint32_t statements;
    uint32_t memory_used;
    uint32_t budget;
    char error[BASIC_AGENT_ERROR_MAX];
    bool hosting; /* HOST: the cube vertex it answers for */
    uint16_t cube;
    uint8_t vertex;
    uint32_t answered; /* REPLYs sent */
};

/* Starts the stored program `name` (text NULL) or the given listing (RUN &: text copied) with
 * a budget of `budget` bytes. Returns the agent id (1..BASIC_AGENT_MAX) or -1 with `why` set. */
int basic_agent_start(const char *name, const char *text, uint32_t length, uint32_t budget, const char **why);
/* Asks agent `id` to stop and waits up to `wait_ms` for it; false when there is no such
 * running agent. */
bool basic_agent_stop(int id, uint32_t wait_ms);
/* The index-th agent slot in use (0-based), or false past the last. */
bool basic_agent_info_at(unsigned index, struct basic_agent_info *out);
bool basic_agent_info(int id, struct basic_agent_info *out);
/* Copies agent `id`'s recent output (oldest first) into out; returns its length, or -1. */
int basic_agent_log(int id, char *out, size_t capacity);
const char *basic_agent_state_name(enum basic_agent_state state);
/* The program store's AUTORUN lists programs (one name a line) that start as agents when XP10
 * boots: a task reads it once the link is up and starts each. */
#define BASIC_AGENT_AUTORUN "AUTORUN"
void basic_agents_autorun(void);
/* The AGENTS reply (docs/PROTOCOL.md): every agent slot in use, with its last output line.
 * Returns the payload length (0: no agents). */
size_t basic_agents_report(uint8_t *out, size_t capacity);
/* For `ps`: a line about the task if it runs an agent. */
bool basic_agents_describe(int task_id, char *out, size_t capacity);

#endif
