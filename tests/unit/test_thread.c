/*
 * Helper threads (core/thread.c): started beside their creator, and
 * running with the creator's whole CPU affinity, so that the go commands
 * they spawn may use every core.
 */
#define TEST_SUITE "thread"
#include "test.h"

#include <sched.h>

#include "core/thread.h"

struct probe {
	int ran;
	cpu_set_t mask;
	int mask_ok;
};

static void *probe_fn(void *arg)
{
	struct probe *p = arg;

	p->ran = 1;
	p->mask_ok = !sched_getaffinity(0, sizeof(p->mask), &p->mask);
	return arg;
}

static int same_mask(const cpu_set_t *a, const cpu_set_t *b)
{
	return CPU_EQUAL(a, b);
}

TEST(runs_the_function_with_its_argument)
{
	struct probe p = { 0 };
	pthread_t t;
	void *ret = NULL;

	CHECK_INT(thread_start(&t, probe_fn, &p), 0);
	CHECK_INT(pthread_join(t, &ret), 0);
	CHECK(p.ran);
	CHECK(ret == &p);
}

TEST(thread_keeps_every_cpu_of_its_creator)
{
	struct probe p = { 0 };
	cpu_set_t mine;
	pthread_t t;

	CHECK_INT(sched_getaffinity(0, sizeof(mine), &mine), 0);
	CHECK_INT(thread_start(&t, probe_fn, &p), 0);
	pthread_join(t, NULL);
	CHECK(p.mask_ok);
	if (!same_mask(&p.mask, &mine))
		FAIL_("the thread may use %d CPUs, its creator %d", CPU_COUNT(&p.mask),
		      CPU_COUNT(&mine));
}

/* With one CPU to use there is no other to start on: a plain start, on that one. */
TEST(creator_on_one_cpu)
{
	struct probe p = { 0 };
	cpu_set_t all, one;
	pthread_t t;
	int cpu = sched_getcpu();

	CHECK_INT(sched_getaffinity(0, sizeof(all), &all), 0);
	CHECK(cpu >= 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	CHECK_INT(sched_setaffinity(0, sizeof(one), &one), 0);
	CHECK_INT(thread_start(&t, probe_fn, &p), 0);
	pthread_join(t, NULL);
	sched_setaffinity(0, sizeof(all), &all);
	CHECK(p.ran);
	CHECK(p.mask_ok && CPU_COUNT(&p.mask) == 1 && CPU_ISSET(cpu, &p.mask));
}

int main(void)
{
	RUN(runs_the_function_with_its_argument);
	RUN(thread_keeps_every_cpu_of_its_creator);
	RUN(creator_on_one_cpu);
	TEST_EXIT();
}
