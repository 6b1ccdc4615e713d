#ifndef ESCGATE_FUZZ_H
#define ESCGATE_FUZZ_H

/*
 * libFuzzer targets for every parser of outside input. Each file defines
 * LLVMFuzzerTestOneInput; `make fuzz` links it with libFuzzer, and
 * replay.c links it into a plain program that runs the committed corpus
 * (seeds and every crash ever found) as part of `make check`.
 *
 * A target aborts on a broken invariant, not only on a memory error:
 * libFuzzer and the replay both count an abort as a failure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif
