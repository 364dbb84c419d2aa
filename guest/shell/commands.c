/* Shell commands answered inside XP10 itself. */
#include "agents/agents.h"
#include "agents/link.h"
#include "basic/console.h"
#include "drivers/pit.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "kernel/task.h"
#include "kernel/bootargs.h"
#include "kernel/version.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "shell/shell.h"

#define KIB 1024u
#define MS_PER_SECOND 1000u
#define SECONDS_PER_MINUTE 60u
#define MINUTES_PER_HOUR 60u
#define ANSI_CLEAR_SCREEN "\x1b[2J\x1b[H"
#define ROLE_TEXT_MAX 64
#define BUSY_MAX_MS 60000u

/* Built-in output stays within 79 columns: a line of exactly 80 makes the VGA console (and
 * terminals without a pending-wrap state) start a new row early, which shows as wrapping. */
#define OUTPUT_COLUMNS 79u
#define HELP_USAGE_INDENT 2u
#define HELP_USAGE_WIDTH 23u
#define HELP_TEXT_COLUMN (HELP_USAGE_INDENT + HELP_USAGE_WIDTH + 1u)

static void print_spaces(struct shell *shell, size_t count) {
    while (count-- > 0) shell->console->write(" ", 1);
}

/* Prints `text` word by word from `column`, continuing on new lines indented to
 * HELP_TEXT_COLUMN instead of letting the terminal break a word. */
static void print_wrapped(struct shell *shell, const char *text, size_t column) {
    const char *p = text;
    for (;;) {
        while (*p == ' ') p++;
        if (!*p) return;
        const char *word = p;
        while (*p && *p != ' ') p++;
        size_t length = (size_t)(p - word);
        if (column > HELP_TEXT_COLUMN && column + 1 + length > OUTPUT_COLUMNS) {
            shell_print(shell, "\n");
            print_spaces(shell, HELP_TEXT_COLUMN);
            column = HELP_TEXT_COLUMN;
        } else if (column > HELP_TEXT_COLUMN) {
            shell_print(shell, " ");
            column++;
        }
        shell->console->write(word, length);
        column += length;
    }
}

static void cmd_help(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    shell_print(shell, "Commands:\n");
    const struct shell_command *c;
    for (unsigned i = 0; (c = shell_command_at(i)) != 0; i++) {
        size_t usage = strlen(c->usage);
        print_spaces(shell, HELP_USAGE_INDENT);
        shell_print(shell, "%s", c->usage);
        if (usage > HELP_USAGE_WIDTH) { /* too long for the column: the text goes below it */
            shell_print(shell, "\n");
            print_spaces(shell, HELP_TEXT_COLUMN);
        } else {
            print_spaces(shell, HELP_TEXT_COLUMN - HELP_USAGE_INDENT - usage);
        }
        print_wrapped(shell, c->help, HELP_TEXT_COLUMN);
        shell_print(shell, "\n");
    }
    shell_print(shell, "Keys: Left/Right/Home/End move the cursor, Up/Down recall earlier lines,\n"
                       "      Tab completes a command, Ctrl-U clears the line, Ctrl-C stops a command.\n");
}

static void cmd_ver(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    shell_print(shell, "%s [Version %s] - %s, 56k packet protocol v1\n", XP10_NAME, XP10_VERSION, XP10_PRODUCT);
    if (boot_machine_named()) /* one of a cube of XP10s (konomi start --guests) */
        shell_print(shell, "Machine %u (%s): hosts %s of cube 1\n", boot_machine_number(), boot_machine_name(),
                    proto_vertex_name(boot_machine_number() - BOOT_MACHINE_MIN));
}

static void cmd_mem(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    const struct pmm_info *mem = pmm_info();
    struct heap_stats heap = heap_stats();
    shell_print(shell, "Memory: %u KiB usable (%u MiB)\n", (unsigned)(mem->total_bytes / KIB),
                (unsigned)(mem->total_bytes / (KIB * KIB)));
    for (uint32_t i = 0; i < mem->region_count; i++)
        shell_print(shell, "  region %u: 0x%08llx - 0x%08llx\n", i, mem->regions[i].base,
                    mem->regions[i].base + mem->regions[i].length);
    shell_print(shell, "Pages: %u total, %u free (%u KiB free)\n", mem->total_pages, mem->free_pages,
                mem->free_pages * (PAGE_SIZE / KIB));
    shell_print(shell, "Heap: %u KiB arena, %u bytes in %u allocations\n", heap.arena_bytes / KIB, heap.used_bytes,
                heap.allocations);
}

static void cmd_uptime(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    uint32_t ms = pit_millis();
    uint32_t seconds = ms / MS_PER_SECOND;
    shell_print(shell, "Up %u:%02u:%02u.%03u (%u ticks at %u Hz)\n", seconds / (SECONDS_PER_MINUTE * MINUTES_PER_HOUR),
                (seconds / SECONDS_PER_MINUTE) % MINUTES_PER_HOUR, seconds % SECONDS_PER_MINUTE, ms % MS_PER_SECOND,
                pit_ticks(), PIT_HZ);
}

static const char *state_name(enum task_state state) {
    switch (state) {
    case TASK_RUNNABLE: return "ready";
    case TASK_BLOCKED: return "blocked";
    case TASK_DONE: return "done";
    default: return "unused";
    }
}

static void cmd_ps(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    char role[ROLE_TEXT_MAX];
    /* Fits 80 columns with the longest role, so the VGA console does not wrap. */
    shell_print(shell, "  ID NAME        STATE    RUNS PREEMPT  ROLE\n");
    for (int i = 0; i < TASK_MAX; i++) {
        const struct task *task = task_at(i);
        if (!task || task->state == TASK_UNUSED) continue;
        if (!agents_describe(task->id, role, sizeof(role))) role[0] = '\0';
        shell_print(shell, "  %2d %-11s %-7s %5u %7u  %s\n", task->id, task->name,
                    task == task_current() ? "running" : state_name(task->state), task->switches, task->preemptions,
                    role);
    }
}

static void cmd_stats(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    const struct proto_stats *s = link_stats();
    shell_print(shell, "COM1 packet link (56k protocol):\n");
    shell_print(shell, "  frames sent      %u\n  frames received  %u\n", s->frames_out, s->frames_in);
    shell_print(shell, "  bytes sent       %u\n  bytes received   %u\n", s->bytes_out, s->bytes_in);
    shell_print(shell, "  CRC errors       %u\n  malformed        %u\n", s->crc_errors, s->malformed);
    shell_print(shell, "  retransmits      %u\n  NAKs sent        %u\n  NAKs received    %u\n", s->retransmits,
                s->naks_sent, s->naks_received);
    shell_print(shell, "  duplicates       %u\n  timeouts         %u\n", s->duplicates, s->timeouts);
    shell_print(shell, "  receive holds    %u   (ring full: RTS dropped until read)\n", com1.stats.rx_holds);
}

static void cmd_clear(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv, (void)rest;
    if (shell->console == &console_vga)
        vga_clear();
    else
        shell_print(shell, ANSI_CLEAR_SCREEN);
}

/* Computes without yielding: shows that the timer preempts a busy task (the other console,
 * the link and the agents keep running). Ctrl-C stops it early; checking the console for it
 * reads a ring and never yields. */
static void cmd_busy(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)rest;
    uint32_t ms;
    if (argc != 2 || !parse_u32(argv[1], BUSY_MAX_MS, &ms)) {
        shell_print(shell, "Usage: busy MS   (at most %u)\n", BUSY_MAX_MS);
        return;
    }
    const struct task *self = task_current();
    uint32_t preempted = self->preemptions, started = pit_millis();
    volatile uint32_t spins = 0;
    bool stopped = false;
    while (pit_millis() - started < ms && !(stopped = shell_interrupted(shell))) spins++;
    if (stopped)
        shell_print(shell, "Stopped after %u ms without yielding; preempted %u times.\n", pit_millis() - started,
                    self->preemptions - preempted);
    else
        shell_print(shell, "Busy for %u ms without yielding; preempted %u times.\n", ms,
                    self->preemptions - preempted);
}

/* Stands in for a runaway recursion without corrupting the heap below the stack: overwrites
 * the lowest words of this task's stack, where the canary lives, and lets schedule() look. */
static void crash_stack(struct shell *shell) {
    struct task *self = task_current();
    shell_print(shell, "Overwriting the bottom of the stack of task %d...\n", self->id);
    volatile uint32_t *bottom = (volatile uint32_t *)self->stack;
    bottom[0] = 0;
    sched_yield();
}

/* Raises a CPU exception on purpose, to show the register dump XP10 prints instead of
 * rebooting. The machine halts afterwards, for everyone: so only at the machine's own
 * console, never for a caller on COM2. */
static void cmd_crash(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)rest;
    if (!shell_require_local(shell, argv[0])) return;
    if (argc > 1 && strcmp(argv[1], "stack") == 0) {
        crash_stack(shell);
        return;
    }
    shell_print(shell, "Raising a divide error...\n");
    /* In assembly: the compiler may rewrite a division by a known value. */
    __asm__ volatile("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\txorl %%ecx, %%ecx\n\tdivl %%ecx" ::: "eax", "ecx", "edx");
}

const struct shell_command shell_local_commands[] = {
    { "help", "help", "list commands", cmd_help },
    { "ver", "ver", "show the XP10 version", cmd_ver },
    { "mem", "mem", "memory found and in use", cmd_mem },
    { "uptime", "uptime", "time since boot", cmd_uptime },
    { "ps", "ps", "tasks and agents", cmd_ps },
    { "stats", "stats", "packet link counters", cmd_stats },
    { "clear", "clear", "clear the screen", cmd_clear },
    { "busy", "busy MS", "compute without yielding (preemption demo)", cmd_busy },
    { "basic", "basic [KIB]", "XP10 BASIC (SYSTEM returns to the shell)", basic_shell_command },
    { "crash", "crash [stack]", "raise a CPU exception, or overflow the stack (dump, halts); local console only",
      cmd_crash },
    { 0, 0, 0, 0 },
};
