#include "kernel/task.h"

#include "arch/io.h"
#include "drivers/pit.h"
#include "lib/string.h"
#include "mm/heap.h"

#define TASK_STACK_SIZE 16384
#define IDLE_TASK 0
#define EFLAGS_RESERVED_BIT 0x2u

#define FPU_SAVE_AREA 108

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
    task->switches = 0;
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
    uint32_t ticks = (timeout_ms + PIT_MS_PER_TICK - 1) / PIT_MS_PER_TICK;
    current->wake_tick = timeout_ms ? pit_ticks() + (ticks ? ticks : 1) : 0;
    if (current->wake_tick == 0 && timeout_ms) current->wake_tick = 1;
    schedule();
    current->wait_channel = 0;
    current->wake_tick = 0;
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
        if (task->state == TASK_BLOCKED && task->wake_tick != 0 && (int32_t)(now - task->wake_tick) >= 0)
            task->state = TASK_RUNNABLE;
        if (task != current && task->state == TASK_RUNNABLE) others_ready = true;
    }
    if (slice_left > 0) slice_left--;
    /* The idle loop reschedules by itself as soon as the interrupt returns. */
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
