/* Test workload: waits for one byte on stdin ("go"), then opens argv[1]
 * exactly argv[2] times with open(2) (glibc issues openat), closing each fd;
 * with argv[3], sleeps that many microseconds after each open (a steady,
 * light load for a test that runs it until it is killed). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char go;
	long n, pause_us;

	if (argc != 3 && argc != 4)
		return 2;
	n = atol(argv[2]);
	pause_us = argc == 4 ? atol(argv[3]) : 0;
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);
		if (fd >= 0)
			close(fd);
		if (pause_us)
			usleep(pause_us);
	}
	return 0;
}
