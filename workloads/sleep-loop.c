/* Catalog workload sleep-loop: prints "ready", waits for one byte on stdin
 * ("go"), then sleeps N times for US microseconds each (clock_nanosleep, one
 * syscall each) and prints "count sleeps N" and "count sleptUs T", the total
 * time asleep as the program measured it.
 *   sleep-loop N US */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	char go;
	long n, us, done = 0;
	long long slept = 0;

	if (argc != 3)
		return 2;
	n = atol(argv[1]);
	us = atol(argv[2]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		struct timespec t = { us / 1000000, (us % 1000000) * 1000 };
		long long t0 = now_us();

		if (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, NULL) == 0)
			done++;
		slept += now_us() - t0;
	}
	printf("count sleeps %ld\ncount sleptUs %lld\n", done, slept);
	fflush(stdout);
	return done == n ? 0 : 1;
}
