#include "kernel/panic.h"

#include "arch/io.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "lib/format.h"
#include "lib/string.h"

#define PANIC_LINE_MAX 160

static const char *const exception_names[IDT_EXCEPTION_COUNT] = {
    "Divide error", "Debug", "NMI", "Breakpoint", "Overflow", "BOUND range exceeded", "Invalid opcode",
    "Device not available", "Double fault", "Coprocessor segment overrun", "Invalid TSS", "Segment not present",
    "Stack-segment fault", "General protection fault", "Page fault", "Reserved", "x87 floating-point error",
    "Alignment check", "Machine check", "SIMD floating-point error", "Virtualization", "Control protection",
    "Reserved", "Reserved", "Reserved", "Reserved", "Reserved", "Reserved", "Hypervisor injection",
    "VMM communication", "Security", "Reserved",
};

/* Polled output only: the interrupt-driven paths may be what failed. */
static void panic_emit(const char *text) {
    size_t length = strlen(text);
    vga_write(text, length);
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\n') serial_write_polled(&com2, (const uint8_t *)"\r", 1);
        serial_write_polled(&com2, (const uint8_t *)&text[i], 1);
    }
}

static void panic_halt(void) __attribute__((noreturn));
static void panic_halt(void) {
    panic_emit("*** STOP: XP10 halted. ***\n");
    for (;;) {
        cpu_cli();
        cpu_hlt();
    }
}

void panic(const char *message) {
    cpu_cli();
    panic_emit("\n*** KERNEL PANIC: ");
    panic_emit(message);
    panic_emit("\n");
    panic_halt();
}

void panic_exception(const struct regs *r) {
    char line[PANIC_LINE_MAX];
    cpu_cli();
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    format_to_buffer(line, sizeof(line), "\n*** EXCEPTION %u: %s (error code 0x%08x)\n", r->vector,
                     exception_names[r->vector % IDT_EXCEPTION_COUNT], r->error_code);
    panic_emit(line);
    format_to_buffer(line, sizeof(line), "EIP=%08x  CS=%04x  EFLAGS=%08x  CR2=%08x\n", r->eip, r->cs, r->eflags, cr2);
    panic_emit(line);
    format_to_buffer(line, sizeof(line), "EAX=%08x  EBX=%08x  ECX=%08x  EDX=%08x\n", r->eax, r->ebx, r->ecx, r->edx);
    panic_emit(line);
    /* Ring 0 only: the CPU pushed EFLAGS, CS, EIP (and maybe an error code) on the faulting
     * stack without switching it, so the faulting ESP is just above the saved EFLAGS. */
    uint32_t faulting_esp = (uint32_t)(uintptr_t)(&r->eflags + 1);
    format_to_buffer(line, sizeof(line), "ESI=%08x  EDI=%08x  EBP=%08x  ESP=%08x (at the fault)\n", r->esi, r->edi,
                     r->ebp, faulting_esp);
    panic_emit(line);
    format_to_buffer(line, sizeof(line), "DS=%04x  ES=%04x  FS=%04x  GS=%04x\n", r->ds, r->es, r->fs, r->gs);
    panic_emit(line);
    panic_halt();
}
