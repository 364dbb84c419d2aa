/* A request to the Konomi core run for the shell: a shell agent blocks on the COM1 link while
 * the shell keeps reading its console, so Ctrl-C or a dropped carrier cancels the request. */
#include "shell/remote_job.h"

#include "lib/string.h"
#include "mm/heap.h"

#define JOB_POLL_MS 10u

struct agent_job *remote_job_new(uint8_t opcode) {
    struct agent_job *job = kzalloc(sizeof(*job));
    if (job) job->opcode = opcode;
    return job;
}

void remote_job_free(struct agent_job *job) {
    kfree(job->call.reply);
    kfree(job);
}

bool remote_job_run_quiet(struct shell *shell, struct agent_job *job) {
    agents_submit(job);
    while (!job->done) {
        if (shell_interrupted(shell)) {
            agents_cancel(job);
            while (!job->done) shell->console->wait_input(JOB_POLL_MS);
            shell_print(shell, "^C Cancelled.\n");
            job->call.error = PROTO_ERR_CANCELLED;
            return false;
        }
        shell->console->wait_input(JOB_POLL_MS);
    }
    return job->call.error == 0;
}

bool remote_job_run(struct shell *shell, struct agent_job *job) {
    if (remote_job_run_quiet(shell, job)) return true;
    int error = job->call.error;
    if (error == PROTO_ERR_CANCELLED) return false;
    shell_print(shell, "Error %s: %s\n", proto_error_name(error),
                job->call.error_message[0] ? job->call.error_message : "request failed");
    return false;
}
