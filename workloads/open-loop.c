/* Catalog workload open-loop (and a test workload): prints "ready", waits for
 * one byte on stdin ("go"), then opens PATH exactly N times with open(2)
 * (glibc issues openat), closing each fd; with PAUSE_US, sleeps that many
 * microseconds after each open (a steady, light load for a test that runs it
 * until it is killed). With MISSING_PATH and MISSING_N, MISSING_N of the N
 * opens are of MISSING_PATH instead, spread evenly, and each must fail with
 * ENOENT. At the end it prints its own counts ("count opens N", "count enoent
 * M", ...) and exits 0 only if every open did what it should.
 *   open-loop PATH N [PAUSE_US [MISSING_PATH MISSING_N]] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char go;
	long n, pause_us, missing_n, opened = 0, enoent = 0, other = 0;
	const char *missing_path;

	if (argc != 3 && argc != 4 && argc != 6)
		return 2;
	n = atol(argv[2]);
	pause_us = argc >= 4 ? atol(argv[3]) : 0;
	missing_path = argc == 6 ? argv[4] : NULL;
	missing_n = argc == 6 ? atol(argv[5]) : 0;
	if (missing_n < 0 || missing_n > n)
		return 2;
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		/* open i misses when the count of misses due by i+1 opens grows */
		int miss = missing_n && (i + 1) * missing_n / n != i * missing_n / n;
		int fd = open(miss ? missing_path : argv[1], O_RDONLY);

		if (fd >= 0) {
			opened++;
			close(fd);
		} else if (errno == ENOENT && miss) {
			enoent++;
		} else {
			other++;
		}
		if (pause_us)
			usleep(pause_us);
	}
	printf("count opens %ld\ncount opened %ld\ncount enoent %ld\ncount failed %ld\n", n, opened, enoent, other);
	fflush(stdout);
	return other || opened != n - missing_n ? 1 : 0;
}
