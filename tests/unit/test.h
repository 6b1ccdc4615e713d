#ifndef ESCGATE_TEST_H
#define ESCGATE_TEST_H

/*
 * A minimal unit-test harness. Each test prints one line, "PASS: name" or
 * "FAIL: name: why"; tests/run.sh counts those lines across all suites
 * into the single "N passed, N failed" line that CI reads.
 */
#include <stdio.h>
#include <string.h>

static int test_failed_;
static const char *test_name_;
static int test_fails_total_;

#define TEST(name) static void name(void)
#define RUN(name) \
	do { \
		test_failed_ = 0; \
		test_name_ = #name; \
		name(); \
		if (test_failed_) \
			test_fails_total_++; \
		else \
			printf("PASS: %s:%s\n", TEST_SUITE, test_name_); \
	} while (0)

#define FAIL_(...) \
	do { \
		if (!test_failed_) \
			printf("FAIL: %s:%s: ", TEST_SUITE, test_name_); \
		else \
			printf("      also: "); \
		printf(__VA_ARGS__); \
		printf(" (%s:%d)\n", __FILE__, __LINE__); \
		test_failed_ = 1; \
	} while (0)

#define CHECK(cond) \
	do { if (!(cond)) FAIL_("%s", #cond); } while (0)
#define CHECK_INT(got, want) \
	do { long long g_ = (got), w_ = (want); \
	     if (g_ != w_) FAIL_("%s = %lld, want %lld", #got, g_, w_); } while (0)
#define CHECK_STR(got, want) \
	do { const char *g_ = (got), *w_ = (want); \
	     if (!g_ || !w_ || strcmp(g_, w_)) \
		FAIL_("%s = \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)

#define TEST_EXIT() return test_fails_total_ ? 1 : 0

#endif
