/* Catalog workload cpu-spin: prints "ready", waits for one byte on stdin
 * ("go"), then for MS milliseconds serves made-up requests on the CPU through
 * a chain of named functions, for a flame graph:
 *   main -> probebook_serve -> probebook_handle -> probebook_parse  (~1/5)
 *                                               -> probebook_hash   (~4/5, the hottest)
 * Built at -O0 with frame pointers and symbols (workloads/Makefile), so every
 * function is a real frame a profile's user stacks walk through. Prints
 * "count requests N" (requests handled) at the end.
 *   cpu-spin MS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) unsigned long probebook_parse(unsigned long x)
{
	for (int i = 0; i < 50000; i++)
		x = x * 31 + i;
	return x;
}

__attribute__((noinline)) unsigned long probebook_hash(unsigned long x)
{
	for (int i = 0; i < 200000; i++)
		x = (x ^ i) * 0x100000001b3UL;
	return x;
}

__attribute__((noinline)) unsigned long probebook_handle(unsigned long x)
{
	return probebook_hash(probebook_parse(x));
}

__attribute__((noinline)) long probebook_serve(double ms, volatile unsigned long *sink)
{
	double end = now_ms() + ms;
	long requests = 0;

	while (now_ms() < end) {
		*sink += probebook_handle(requests);
		requests++;
	}
	return requests;
}

int main(int argc, char **argv)
{
	volatile unsigned long sink = 0;
	char go;

	if (argc != 2)
		return 2;
	printf("info hottest probebook_hash\nready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	printf("count requests %ld\n", probebook_serve(atof(argv[1]), &sink));
	fflush(stdout);
	return 0;
}
