// The workload: `loop N [CPU]` makes N getppid syscalls pinned to CPU (default
// 1) after a short warm-up, and prints the mean cost as ns_per_call=.
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) { fprintf(stderr, "usage: loop N [CPU]\n"); return 2; }
	long n = atol(argv[1]);
	int cpu = argc > 2 ? atoi(argv[2]) : 1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) { perror("loop: sched_setaffinity"); return 1; }
	for (int i = 0; i < 20000; i++)
		syscall(SYS_getppid);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("ns_per_call=%.2f calls=%ld elapsed_ns=%.0f\n", ns / n, n + 20000, ns);
	return 0;
}
