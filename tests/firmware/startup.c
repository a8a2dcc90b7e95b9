/* startup.c: the smallest start for a Cortex-M4F under QEMU's mps2-an386.
 *
 * The vector table holds the initial stack pointer and the reset handler; QEMU loads them
 * from address 0. The reset handler turns on the FPU (the code is built for hard float),
 * copies .data from flash, zeroes .bss, opens newlib's semihosting files (librdimon) and
 * calls main; exit() ends QEMU through semihosting.
 */
#include <stdint.h>
#include <stdlib.h>

int main(void);
void initialise_monitor_handles(void);

/* From the linker script. */
extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;

#define CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void);
void Reset_Handler(void) {
    CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
    __asm__ volatile("dsb\n\tisb");
    const uint32_t *from = &__data_load;
    for (uint32_t *p = &__data_start; p < &__data_end; p++)
        *p = *from++;
    for (uint32_t *p = &__bss_start; p < &__bss_end; p++)
        *p = 0;
    initialise_monitor_handles();
    exit(main());
}

/* newlib's exit() runs the C++ destructors' _fini, which crtn.o would give: there are none. */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

/* Any fault stops with status 3 rather than hanging the test. */
void Fault_Handler(void);
void Fault_Handler(void) {
    _Exit(3);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
};
