/* Test workload for return-value filters: waits for "go" on stdin, then calls
 * probebook_check(i) for i = 1..argv[1]; it returns -i for multiples of 3
 * (an "error") and i otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline, used)) int probebook_check(int i)
{
	__asm__ volatile("" ::: "memory");
	return i % 3 == 0 ? -i : i;
}

int main(int argc, char **argv)
{
	char go;
	long n, sum = 0;

	if (argc != 2)
		return 2;
	n = atol(argv[1]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 1; i <= n; i++)
		sum += probebook_check((int)i);
	return sum == 0 ? 4 : 0;
}
