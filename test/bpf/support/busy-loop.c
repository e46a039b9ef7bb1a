/* Test workload for the CPU profile: prints "ready", waits for one byte on
 * stdin ("go"), spins in a uniquely named function for argv[1] milliseconds,
 * then stays alive (its maps readable for symbolisation) until stdin closes.
 * Built with -O0 -fno-omit-frame-pointer so that user stacks walk through it. */
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

__attribute__((noinline)) unsigned long probebook_spin_here(double ms)
{
	volatile unsigned long x = 0;
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 100000; i++)
			x += i;
	return x;
}

int main(int argc, char **argv)
{
	char c;

	if (argc != 2)
		return 2;
	printf("ready\n");
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		return 3;
	probebook_spin_here(atof(argv[1]));
	/* stay alive (maps readable) until the test closes stdin */
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
