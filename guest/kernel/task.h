/* Kernel tasks and the scheduler.
 *
 * Round robin, driven by the PIT: every tick wakes tasks whose sleep or wait timeout has
 * expired, and a task that has run for a whole time slice while another task is ready is
 * preempted at the end of the timer interrupt. Tasks also give up the CPU themselves when
 * they block on a wait channel (any address that names an event, e.g. a serial port, which
 * interrupt handlers wake) or yield. With nothing runnable the idle task halts the CPU
 * until the next interrupt. Code that shares data between tasks protects it with
 * irq_save()/irq_restore(): with interrupts off neither IRQs nor preemption can intervene. */
#ifndef XP10_KERNEL_TASK_H
#define XP10_KERNEL_TASK_H

#include <stdbool.h>
#include <stdint.h>

#define TASK_MAX 16
#define TASK_NAME_MAX 16
#define TASK_SLICE_TICKS 2

enum task_state { TASK_UNUSED, TASK_RUNNABLE, TASK_BLOCKED, TASK_DONE };

typedef void (*task_entry_t)(void *arg);

struct task {
    int id;
    char name[TASK_NAME_MAX];
    enum task_state state;
    uint32_t esp;
    uint8_t *stack;
    const void *wait_channel;
    uint32_t wake_tick;      /* tick at which a timed wait ends (any value, wraps) */
    bool timed_wait;         /* the current wait has a timeout */
    uint32_t switches;       /* times this task was given the CPU */
    uint32_t preemptions;    /* times it lost the CPU at the end of its slice */
    task_entry_t entry;
    void *arg;
};

void sched_init(void);
/* Creates a runnable task; returns its id or -1 when the table or memory is exhausted. */
int task_spawn(const char *name, task_entry_t entry, void *arg);
struct task *task_current(void);
const struct task *task_at(int index);

void sched_yield(void);
/* True when the caller is a task that may sleep (the scheduler runs and it is not idle). */
bool sched_can_block(void);
void sched_sleep_ms(uint32_t ms);
/* Must be called with interrupts off, after checking the condition being waited for;
 * returns (interrupts still off) after a wake on `channel` or after `timeout_ms`. */
void sched_block_on(const void *channel, uint32_t timeout_ms);
void sched_wake(const void *channel);
/* Called from the timer interrupt. */
void sched_timer_tick(uint32_t now);
/* Called at the end of the timer interrupt, after EOI: switches task if the slice is used up. */
void sched_preempt_if_due(void);
/* Becomes the idle loop; never returns. */
void sched_run_idle(void) __attribute__((noreturn));

#endif
