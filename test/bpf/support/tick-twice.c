/* A process whose own binary is replaced while it runs: prints "ready", waits
 * for one byte on stdin, calls probebook_tick() argv[1] times, prints "half",
 * sleeps argv[2] ms (the test renames another file over the binary then), calls
 * it argv[1] times more - still in the old file, which it runs - prints "done"
 * and exits. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline, used)) int probebook_tick(int i)
{
	__asm__ volatile("" ::: "memory");
	return i + 1;
}

int main(int argc, char **argv)
{
	char go;
	long n, sum = 0;

	if (argc != 3)
		return 2;
	n = atol(argv[1]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++)
		sum += probebook_tick((int)i);
	printf("half\n");
	fflush(stdout);
	usleep(atol(argv[2]) * 1000);
	for (long i = 0; i < n; i++)
		sum += probebook_tick((int)i);
	printf("done\n");
	fflush(stdout);
	return sum > 0 ? 0 : 4;
}
