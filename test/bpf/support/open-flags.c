/* Test workload for in-kernel filters: waits for one byte on stdin ("go"),
 * then opens argv[1] exactly argv[2] times with open(2) (glibc issues openat),
 * alternating the flags O_RDONLY and O_RDONLY | O_CLOEXEC (0x80000), closing
 * each fd: a filter on flags keeps exactly half. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char go;
	long n;

	if (argc != 3)
		return 2;
	n = atol(argv[1 + 1]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], i % 2 ? O_RDONLY | O_CLOEXEC : O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
