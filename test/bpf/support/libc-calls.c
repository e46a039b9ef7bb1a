/* Test workload for uprobes on libc: waits for one byte on stdin ("go"), then
 * calls lldiv(1000 * i + 7, 3) and strverscmp("item-<i>", "item-2") for
 * i = 1..argv[1]; both are rare in libc itself, so every hit is ours. Called
 * through volatile pointers so that the compiler keeps the calls. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static lldiv_t (*volatile do_lldiv)(long long, long long) = lldiv;
static int (*volatile do_strverscmp)(const char *, const char *) = strverscmp;

int main(int argc, char **argv)
{
	char go, name[32];
	long n;
	long long sum = 0;

	if (argc != 2)
		return 2;
	n = atol(argv[1]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 1; i <= n; i++) {
		sum += do_lldiv(1000 * i + 7, 3).quot;
		snprintf(name, sizeof(name), "item-%ld", i);
		sum += do_strverscmp(name, "item-2");
	}
	return sum == 0 ? 4 : 0;
}
