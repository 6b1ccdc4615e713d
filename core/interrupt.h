#ifndef ESCGATE_INTERRUPT_H
#define ESCGATE_INTERRUPT_H

/*
 * SIGINT and SIGTERM only set a flag (installed without SA_RESTART, so
 * blocking reads and waits return EINTR). Long-running loops poll it,
 * stop their children and unwind through their normal cleanup, so
 * temporary trees are removed and the store is left consistent.
 * The flag is the one piece of process-wide state: a signal handler
 * has no other way to talk to the program.
 */
void interrupt_install(void);
/* The signal received (SIGINT or SIGTERM), or 0. */
int interrupt_pending(void);

#endif
