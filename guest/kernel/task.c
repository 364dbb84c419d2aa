#include "kernel/task.h"

#include "arch/io.h"
#include "drivers/pit.h"
#include "kernel/panic.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"

#define TASK_STACK_SIZE 16384
#define IDLE_TASK 0
#define EFLAGS_RESERVED_BIT 0x2u

#define FPU_SAVE_AREA 108
/* Written at the lowest words of every task stack; a task that ran past its stack
 * overwrote them, which schedule() notices at the next switch. */
#define STACK_CANARY 0x57AC4B1Du
#define STACK_CANARY_WORDS 4
#define PANIC_MESSAGE_MAX 96

static struct task tasks[TASK_MAX];
static struct task *current;
static uint32_t slice_left = TASK_SLICE_TICKS;
static volatile bool preempt_due;

/* Saves callee-saved registers and EFLAGS on the old stack, switches stacks, restores. */
void context_switch(uint32_t *old_esp, uint32_t new_esp);
__asm__(
    ".text\n"
    ".global context_switch\n"
    "context_switch:\n"
    "    movl 4(%esp), %eax\n"
    "    movl 8(%esp), %edx\n"
    "    pushfl\n"
    "    pushl %ebp\n"
    "    pushl %ebx\n"
    "    pushl %esi\n"
    "    pushl %edi\n"
    "    movl %esp, (%eax)\n"
    "    movl %edx, %esp\n"
    "    popl %edi\n"
    "    popl %esi\n"
    "    popl %ebx\n"
    "    popl %ebp\n"
    "    popfl\n"
    "    ret\n");

static void task_trampoline(void) {
    cpu_sti();
    current->entry(current->arg);
    cpu_cli();
    current->state = TASK_DONE;
    for (;;) {
        sched_yield();
    }
}

static void stack_canary_write(struct task *task) {
    uint32_t *words = (uint32_t *)task->stack;
    for (int i = 0; i < STACK_CANARY_WORDS; i++) words[i] = STACK_CANARY;
}

static void stack_canary_check(const struct task *task) {
    if (!task->stack) return; /* the idle task runs on the boot stack */
    const uint32_t *words = (const uint32_t *)task->stack;
    for (int i = 0; i < STACK_CANARY_WORDS; i++) {
        if (words[i] == STACK_CANARY) continue;
        static char message[PANIC_MESSAGE_MAX];
        format_to_buffer(message, sizeof(message), "stack overflow in task %d (%s): canary at %08x overwritten",
                         task->id, task->name, (uint32_t)(uintptr_t)&words[i]);
        panic(message);
    }
}

bool sched_can_block(void) { return current != 0 && current->id != IDLE_TASK; }

void sched_init(void) {
    struct task *idle = &tasks[IDLE_TASK];
    idle->id = IDLE_TASK;
    memcpy(idle->name, "idle", 5);
    idle->state = TASK_RUNNABLE;
    current = idle;
}

static void task_copy_name(struct task *task, const char *name) {
    size_t length = strlen(name);
    if (length >= TASK_NAME_MAX) length = TASK_NAME_MAX - 1;
    memcpy(task->name, name, length);
    task->name[length] = '\0';
}

int task_spawn(const char *name, task_entry_t entry, void *arg) {
    uint32_t flags = irq_save();
    int id = -1;
    for (int i = 1; i < TASK_MAX; i++) {
        if (tasks[i].state == TASK_UNUSED || tasks[i].state == TASK_DONE) {
            id = i;
            break;
        }
    }
    struct task *task = id < 0 ? 0 : &tasks[id];
    if (task && !task->stack) task->stack = kmalloc(TASK_STACK_SIZE);
    if (!task || !task->stack) {
        irq_restore(flags);
        return -1;
    }
    task->id = id;
    task_copy_name(task, name);
    task->entry = entry;
    task->arg = arg;
    task->wait_channel = 0;
    task->wake_tick = 0;
    task->timed_wait = false;
    task->switches = 0;
    task->preemptions = 0;
    stack_canary_write(task);
    /* A stack that context_switch can "return" into: saved registers, EFLAGS, return address. */
    uint32_t *sp = (uint32_t *)(task->stack + TASK_STACK_SIZE);
    *--sp = 0;                                  /* fake return address for the trampoline */
    *--sp = (uint32_t)(uintptr_t)task_trampoline;
    *--sp = EFLAGS_RESERVED_BIT;                /* interrupts off until the trampoline runs */
    *--sp = 0;                                  /* ebp */
    *--sp = 0;                                  /* ebx */
    *--sp = 0;                                  /* esi */
    *--sp = 0;                                  /* edi */
    task->esp = (uint32_t)(uintptr_t)sp;
    task->state = TASK_RUNNABLE;
    irq_restore(flags);
    return id;
}

struct task *task_current(void) { return current; }

const struct task *task_at(int index) { return index >= 0 && index < TASK_MAX ? &tasks[index] : 0; }

/* Round robin over runnable tasks; idle only when nobody else can run. Interrupts off. */
static void schedule(void) {
    struct task *prev = current, *next = 0;
    stack_canary_check(prev);
    for (int i = 1; i <= TASK_MAX; i++) {
        struct task *candidate = &tasks[(prev->id + i) % TASK_MAX];
        if (candidate->state == TASK_RUNNABLE && candidate->id != IDLE_TASK) {
            next = candidate;
            break;
        }
    }
    if (!next) next = &tasks[IDLE_TASK];
    slice_left = TASK_SLICE_TICKS;
    preempt_due = false;
    if (next == prev) return;
    next->switches++;
    current = next;
    context_switch(&prev->esp, next->esp);
}

void sched_yield(void) {
    uint32_t flags = irq_save();
    schedule();
    irq_restore(flags);
}

void sched_block_on(const void *channel, uint32_t timeout_ms) {
    if (current->id == IDLE_TASK) return;
    current->state = TASK_BLOCKED;
    current->wait_channel = channel;
    /* Rounded up without overflowing, at least one tick, and at most half the tick counter's
     * range so the serial comparison in sched_timer_tick stays right across the wrap. Any
     * wake_tick value is valid (0 included): timed_wait says whether there is one. */
    uint32_t ticks = timeout_ms / PIT_MS_PER_TICK + (timeout_ms % PIT_MS_PER_TICK != 0);
    if (ticks == 0) ticks = 1;
    if (ticks > INT32_MAX) ticks = INT32_MAX;
    current->timed_wait = timeout_ms != 0;
    current->wake_tick = pit_ticks() + ticks;
    schedule();
    current->wait_channel = 0;
    current->timed_wait = false;
}

void sched_sleep_ms(uint32_t ms) {
    uint32_t flags = irq_save();
    sched_block_on(&current, ms ? ms : 1);
    irq_restore(flags);
}

void sched_wake(const void *channel) {
    uint32_t flags = irq_save();
    for (int i = 1; i < TASK_MAX; i++) {
        if (tasks[i].state == TASK_BLOCKED && tasks[i].wait_channel == channel) tasks[i].state = TASK_RUNNABLE;
    }
    irq_restore(flags);
}

void sched_timer_tick(uint32_t now) {
    bool others_ready = false;
    for (int i = 1; i < TASK_MAX; i++) {
        struct task *task = &tasks[i];
        if (task->state == TASK_BLOCKED && task->timed_wait && (int32_t)(now - task->wake_tick) >= 0)
            task->state = TASK_RUNNABLE;
        if (task != current && task->state == TASK_RUNNABLE) others_ready = true;
    }
    if (slice_left > 0) slice_left--;
    /* Idle is never preempted: its loop calls schedule() itself right after `hlt` returns
     * from this interrupt, so a task woken here runs without waiting for a slice to end. */
    if (current->id != IDLE_TASK && slice_left == 0 && others_ready) preempt_due = true;
}

/* Runs on the preempted task's stack with interrupts off. A task can be interrupted in
 * the middle of x87 arithmetic, so its FPU state is saved here and restored when it is
 * resumed (fnsave also resets the FPU, which is what a task resuming from a call expects). */
void sched_preempt_if_due(void) {
    if (!preempt_due) return;
    uint8_t fpu_state[FPU_SAVE_AREA] __attribute__((aligned(16)));
    __asm__ volatile("fnsave %0" : "=m"(fpu_state));
    current->preemptions++;
    schedule();
    __asm__ volatile("frstor %0" : : "m"(fpu_state));
}

void sched_run_idle(void) {
    for (;;) {
        cpu_cli();
        schedule();
        cpu_sti_hlt();
    }
}
