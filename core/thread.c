#include "thread.h"

#include <sched.h>
#include <stdlib.h>

#include "util.h"

struct thread_start_args {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t allowed;   /* the creator's CPUs, given back to the thread */
	int narrowed;        /* the thread starts on the others only */
};

static void *thread_trampoline(void *p)
{
	struct thread_start_args a = *(struct thread_start_args *)p;

	free(p);
	if (a.narrowed)
		sched_setaffinity(0, sizeof(a.allowed), &a.allowed);
	return a.fn(a.arg);
}

int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	struct thread_start_args *a = xcalloc(1, sizeof(*a));
	pthread_attr_t attr;
	cpu_set_t others;
	int cpu = sched_getcpu(), have_attr = 0, rc;

	a->fn = fn;
	a->arg = arg;
	if (cpu >= 0 && cpu < CPU_SETSIZE &&
	    !sched_getaffinity(0, sizeof(a->allowed), &a->allowed) &&
	    CPU_ISSET(cpu, &a->allowed) && CPU_COUNT(&a->allowed) > 1 &&
	    !pthread_attr_init(&attr)) {
		have_attr = 1;
		others = a->allowed;
		CPU_CLR(cpu, &others);
		a->narrowed = !pthread_attr_setaffinity_np(&attr, sizeof(others), &others);
	}
	rc = pthread_create(thread, have_attr ? &attr : NULL, thread_trampoline, a);
	if (rc && a->narrowed) {
		/* a cpuset may refuse the narrower start: start it anywhere */
		a->narrowed = 0;
		rc = pthread_create(thread, NULL, thread_trampoline, a);
	}
	if (have_attr)
		pthread_attr_destroy(&attr);
	if (rc)
		free(a);
	return rc;
}

int thread_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) < 1)
		return 1;
	return CPU_COUNT(&set);
}
