/* Test workload: waits for one byte on stdin ("go"), then opens argv[1]
 * exactly argv[2] times with open(2) (glibc issues openat), closing each fd. */
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
	n = atol(argv[2]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
