/* Test workload for stack columns and keys, driven from stdin like
 * agg-steps.c: prints "ready", then for each command prints "done":
 *   p N   N x getppid from probebook_stack_marker()
 *   q     exit
 * Built at -O0 -fno-omit-frame-pointer. The syscall instruction is inline in
 * probebook_stack_marker() (not libc's getppid, a leaf without a frame): the
 * user stack then starts in the marker itself, and its frame pointer chain
 * leads through main. Every call has the same stack: one stack id. x86-64. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

__attribute__((noinline, used, visibility("default"))) long probebook_stack_marker(long n)
{
	long ret = 0;

	for (long i = 0; i < n; i++)
		__asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_getppid) : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	char line[256];

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (line[0] == 'q')
			break;
		if (line[0] == 'p')
			probebook_stack_marker(atol(line + 2));
		printf("done\n");
		fflush(stdout);
	}
	return 0;
}
