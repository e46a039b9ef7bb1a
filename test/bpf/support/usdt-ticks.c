/* Test workload for USDT: waits for "go" on stdin, then fires the probe
 * probebook_test:tick(i, "tick-<i>") for i = 1..argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char go, label[32];
	long n;

	if (argc != 2)
		return 2;
	n = atol(argv[1]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 1; i <= n; i++) {
		snprintf(label, sizeof(label), "tick-%ld", i);
		DTRACE_PROBE2(probebook_test, tick, i, label);
	}
	return 0;
}
