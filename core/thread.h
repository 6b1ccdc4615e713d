#ifndef ESCGATE_THREAD_H
#define ESCGATE_THREAD_H

#include <pthread.h>

/*
 * pthread_create for a helper that should run beside its creator, not
 * after it: escgate's helpers (go env, a second go list or build, a
 * store's creation or checkpoint) are started so that they overlap work
 * the creator goes on with.
 *
 * Some kernels queue a new thread on its creator's CPU, and a creator that
 * stays busy keeps it waiting for up to a whole time slice while another
 * CPU idles: 3.8 ms on the 2-core benchmark machine (its kernel packs
 * tasks, sched_vcpu_pack). So the thread is started on one of the other
 * CPUs the process may use, and first thing widens its own affinity back
 * to all of them, so that what it spawns (go, which wants every core)
 * inherits no restriction. With one usable CPU, or when the affinity
 * cannot be read, this is plain pthread_create. Returns its result.
 */
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

/* How many CPUs the calling thread may run on (1 when that cannot be told). */
int thread_cpus(void);

#endif
