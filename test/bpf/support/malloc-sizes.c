/* Test workload for a malloc-size histogram: waits for "go" on stdin, then
 * mallocs (and frees) 10 blocks of 24 bytes, 20 of 100 and 30 of 5000, through
 * a volatile pointer so that the compiler keeps every call. Nothing else runs
 * after "go" that allocates. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *(*volatile do_malloc)(size_t) = malloc;

int main(void)
{
	static const struct { size_t size; int n; } plan[] = { { 24, 10 }, { 100, 20 }, { 5000, 30 } };
	char go;

	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (unsigned i = 0; i < sizeof(plan) / sizeof(plan[0]); i++)
		for (int j = 0; j < plan[i].n; j++)
			free(do_malloc(plan[i].size));
	return 0;
}
