/* The shell's `agent` command: start a saved BASIC program as an agent (its own task, owned
 * by the machine, still running after the caller hangs up), list agents, stop one, read its
 * recent output. The agents themselves are agents/basic_agents.c. */
#include "agents/basic_agents.h"
#include "basic/basic.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "proto/payload.h"
#include "shell/agent_commands.h"
#include "shell/shell.h"

#define KIB 1024u
#define BUDGET_MAX_KIB 4096u
#define STOP_WAIT_MS 1000u
#define LOG_PRINT_MAX BASIC_AGENT_LOG

static void usage(struct shell *shell) {
    shell_print(shell, "Usage: agent start NAME [KIB] | agent list | agent stop ID | agent log ID\n");
}

static bool parse_id(struct shell *shell, const char *text, int *id) {
    uint32_t value;
    if (!parse_u32(text, BASIC_AGENT_MAX, &value) || value == 0) {
        shell_print(shell, "An agent id is 1..%d (see agent list).\n", BASIC_AGENT_MAX);
        return false;
    }
    *id = (int)value;
    return true;
}

static void start(struct shell *shell, int argc, char **argv) {
    const char *name = argv[2];
    uint32_t kib = BASIC_DEFAULT_BUDGET / KIB;
    if (!proto_program_name_valid((const uint8_t *)name, strlen(name))) {
        shell_print(shell, "A program name is 1..32 of A-Z 0-9 _ -.\n");
        return;
    }
    if (argc == 4 && (!parse_u32(argv[3], BUDGET_MAX_KIB, &kib) || kib * KIB < BASIC_MIN_BUDGET)) {
        shell_print(shell, "Memory budget: %u..%u KiB.\n", BASIC_MIN_BUDGET / KIB, BUDGET_MAX_KIB);
        return;
    }
    const char *why = "";
    int id = basic_agent_start(name, 0, 0, kib * KIB, &why);
    if (id < 0) shell_print(shell, "Cannot start %s: %s.\n", name, why);
    else shell_print(shell, "Agent %d started: %s, %u KiB. `agent log %d` shows its output.\n", id, name, kib, id);
}

static void list(struct shell *shell) {
    struct basic_agent_info info;
    unsigned shown = 0;
    for (unsigned i = 0; basic_agent_info_at(i, &info); i++) {
        if (shown++ == 0) shell_print(shell, "  ID NAME             STATE      STATEMENTS MEMORY HOSTS       LAST ERROR\n");
        char hosts[16] = "-";
        if (info.hosting) format_to_buffer(hosts, sizeof(hosts), "%u/%s", info.cube, proto_vertex_name(info.vertex));
        shell_print(shell, "  %2d %-16s %-8s %12u %5uK %-11s %s\n", info.id, info.name, basic_agent_state_name(info.state),
                    info.statements, (info.memory_used + KIB - 1) / KIB, hosts, info.error[0] ? info.error : "-");
    }
    if (shown == 0) shell_print(shell, "No agents. Start one with: agent start NAME\n");
}

void cmd_agent(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)rest;
    const char *action = argc >= 2 ? argv[1] : "";
    int id;
    if (strcmp(action, "start") == 0 && (argc == 3 || argc == 4)) {
        start(shell, argc, argv);
    } else if (strcmp(action, "list") == 0 && argc == 2) {
        list(shell);
    } else if (strcmp(action, "stop") == 0 && argc == 3) {
        if (!parse_id(shell, argv[2], &id)) return;
        if (!basic_agent_stop(id, STOP_WAIT_MS)) shell_print(shell, "Agent %d is not running.\n", id);
        else shell_print(shell, "Agent %d stopped.\n", id);
    } else if (strcmp(action, "log") == 0 && argc == 3) {
        if (!parse_id(shell, argv[2], &id)) return;
        static char text[LOG_PRINT_MAX + 1];
        int n = basic_agent_log(id, text, sizeof(text));
        if (n < 0) shell_print(shell, "No agent %d.\n", id);
        else if (n == 0) shell_print(shell, "(agent %d has printed nothing)\n", id);
        else shell_print(shell, "%s%s", text, text[n - 1] == '\n' ? "" : "\n");
    } else {
        usage(shell);
    }
}
