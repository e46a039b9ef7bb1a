/* Test workload for kernel-function probes: waits for "go" on stdin, then
 * reads one byte of /dev/zero argv[1] times (each a vfs_read() in the kernel). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char go, byte;
	long n;
	int fd;

	if (argc != 2)
		return 2;
	n = atol(argv[1]);
	fd = open("/dev/zero", O_RDONLY);
	if (fd < 0)
		return 4;
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++)
		if (read(fd, &byte, 1) != 1)
			return 5;
	return 0;
}
