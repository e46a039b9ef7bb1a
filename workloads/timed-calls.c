/* Catalog workload timed-calls (and the latency tests' workload): waits for
 * one byte on stdin ("go"), then calls its own probebook_timed_call(us),
 * which sleeps us microseconds, FAST times for FAST_US and SLOW times for
 * SLOW_US (default: 7 x 8.5 ms and 5 x 34 ms), and exits. Each call also
 * fires the USDT probe probebook:call(i, us). Built at -O0; the function is
 * exported and noinline so that it keeps its symbol and every call enters and
 * returns through it. Prints "count calls N", "count fast", "count slow".
 *   timed-calls [FAST SLOW FAST_US SLOW_US] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline, used, visibility("default"))) int probebook_timed_call(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	return nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
	long fast = 7, slow = 5, fast_us = 8500, slow_us = 34000, calls = 0;
	char go;
	int rc = 0;

	if (argc == 5) {
		fast = atol(argv[1]);
		slow = atol(argv[2]);
		fast_us = atol(argv[3]);
		slow_us = atol(argv[4]);
	} else if (argc != 1) {
		return 2;
	}
	printf("info function probebook_timed_call\ninfo usdtProvider probebook\ninfo usdtName call\nready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < fast + slow; i++) {
		long us = i < fast ? fast_us : slow_us;

		calls++;
		DTRACE_PROBE2(probebook, call, calls, us);
		rc |= probebook_timed_call(us);
	}
	printf("count calls %ld\ncount fast %ld\ncount slow %ld\n", calls, fast, slow);
	fflush(stdout);
	return rc ? 4 : 0;
}
