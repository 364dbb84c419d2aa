/* The shell's `agent` command: start a saved BASIC program as an agent (its own task, owned
 * by the machine, still running after the caller hangs up), list agents, stop one, read its
 * recent output. The agents themselves are agents/basic_agents.c. */
#include "agents/basic_agents.h"
#include "basic/basic.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proto/payload.h"
#include "shell/agent_commands.h"
#include "shell/remote_job.h"
#include "shell/shell.h"

#define KIB 1024u
#define BUDGET_MAX_KIB 4096u
#define STOP_WAIT_MS 1000u
#define LOG_PRINT_MAX BASIC_AGENT_LOG

#define AUTORUN_MAX 4096u /* bytes of the AUTORUN list this command edits */

static void usage(struct shell *shell) {
    shell_print(shell, "Usage: agent start NAME [KIB] | agent list | agent stop ID | agent log ID\n"
                       "       agent autorun [NAME on|off]\n");
}

/* `agent autorun` lists the AUTORUN program's names; `agent autorun NAME on|off` edits it. */
static void autorun(struct shell *shell, int argc, char **argv) {
    static const char list_name[] = BASIC_AGENT_AUTORUN;
    const struct proto_text list = { (const uint8_t *)list_name, sizeof(list_name) - 1u };
    uint8_t *buffer = kmalloc(2u + PROTO_PROGRAM_NAME_MAX + AUTORUN_MAX + 64u);
    struct agent_job *job = remote_job_new(PROTO_OP_PROGRAM);
    if (!buffer || !job) {
        kfree(buffer);
        if (job) remote_job_free(job);
        shell_print(shell, "Not enough memory.\n");
        return;
    }
    struct proto_program_request load = { PROTO_PROGRAM_LOAD, list, { 0, 0 }, 0 };
    job->length = (uint32_t)proto_program_request_encode(&load, job->payload, AGENT_JOB_PAYLOAD_MAX);
    bool ok = remote_job_run_quiet(shell, job);
    if (!ok && job->call.error != PROTO_ERR_NOT_FOUND) {
        shell_print(shell, "Error %s: %s\n", proto_error_name(job->call.error), job->call.error_message);
        goto done;
    }
    const char *text = ok ? (const char *)job->call.reply : "";
    uint32_t length = ok ? job->call.reply_length : 0;
    if (length > AUTORUN_MAX) {
        shell_print(shell, "AUTORUN is over %u bytes: edit it with konomi program.\n", AUTORUN_MAX);
        goto done;
    }
    /* Rebuild the list without NAME (and its blank lines), then add NAME back for `on`. */
    const char *name = argc == 4 ? argv[2] : "";
    bool on = argc == 4 && strcmp(argv[3], "on") == 0;
    char *out = (char *)buffer + 2u + PROTO_PROGRAM_NAME_MAX;
    uint32_t n = 0;
    unsigned listed = 0;
    for (uint32_t at = 0; at < length;) {
        uint32_t end = at;
        while (end < length && text[end] != '\n') end++;
        uint32_t start = at, stop = end;
        while (start < stop && text[start] == ' ') start++;
        while (stop > start && (text[stop - 1] == ' ' || text[stop - 1] == '\r')) stop--;
        if (stop > start && !proto_word_equal(text + start, stop - start, name)) {
            memcpy(out + n, text + start, stop - start);
            if (argc == 2) {
                out[n + (stop - start)] = '\0'; /* format has no %.*s: print the copy */
                shell_print(shell, "  %s\n", out + n);
            }
            n += stop - start;
            out[n++] = '\n';
            listed++;
        }
        at = end + 1;
    }
    if (argc == 2) {
        if (listed == 0) shell_print(shell, "Nothing starts at boot. agent autorun NAME on adds a program.\n");
        goto done;
    }
    if (on) {
        uint32_t k = (uint32_t)strlen(name);
        for (uint32_t i = 0; i < k; i++) out[n++] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
        out[n++] = '\n';
    }
    struct proto_program_request save = { PROTO_PROGRAM_SAVE, list, { (const uint8_t *)out, n }, 0 };
    remote_job_free(job);
    job = remote_job_new(PROTO_OP_PROGRAM);
    if (!job) goto done;
    job->large_payload = buffer;
    job->length = (uint32_t)proto_program_request_encode(&save, buffer, 2u + PROTO_PROGRAM_NAME_MAX + AUTORUN_MAX + 64u);
    if (remote_job_run(shell, job)) {
        shell_print(shell, "%s %s when XP10 boots.\n", name, on ? "starts" : "no longer starts");
    }
done:
    if (job) remote_job_free(job);
    kfree(buffer);
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
    } else if (strcmp(action, "autorun") == 0 &&
               (argc == 2 || (argc == 4 && (strcmp(argv[3], "on") == 0 || strcmp(argv[3], "off") == 0)))) {
        if (argc == 4 && !proto_program_name_valid((const uint8_t *)argv[2], strlen(argv[2]))) {
            shell_print(shell, "A program name is 1..32 of A-Z 0-9 _ -.\n");
            return;
        }
        autorun(shell, argc, argv);
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
