/* Catalog workload getppid-loop (and the soak test's): prints "ready", waits
 * for one byte on stdin ("go"), then calls getppid() as fast as it can for
 * SECONDS seconds, or until it made MAX_CALLS calls, and prints "count calls
 * N": the exact number of syscalls:sys_enter_getppid events it made, the count
 * a probe's rows + drops must add up to.
 *   getppid-loop SECONDS [MAX_CALLS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1;
	unsigned long long max = argc > 2 ? strtoull(argv[2], NULL, 10) : ~0ULL;
	unsigned long long calls = 0;
	char go;

	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 1;
	double end = now_s() + seconds;
	while (calls < max && now_s() < end)
		for (int i = 0; i < 4096 && calls < max; i++, calls++)
			syscall(SYS_getppid); /* not getppid(): never served from a libc cache */
	printf("count calls %llu\n", calls);
	fflush(stdout);
	return 0;
}
