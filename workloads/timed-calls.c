/* Test workload for latency pairs on a user function: waits for one byte on
 * stdin ("go"), then calls its own probebook_timed_call(us), which sleeps us
 * microseconds, 7 times for 8.5 ms and 5 times for 34 ms, and exits. Built at
 * -O0; the function is exported and noinline so that it keeps its symbol and
 * every call enters and returns through it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline, used, visibility("default"))) int probebook_timed_call(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	return nanosleep(&t, NULL);
}

int main(void)
{
	char go;
	int rc = 0;

	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (int i = 0; i < 7; i++)
		rc |= probebook_timed_call(8500);
	for (int i = 0; i < 5; i++)
		rc |= probebook_timed_call(34000);
	return rc ? 4 : 0;
}
