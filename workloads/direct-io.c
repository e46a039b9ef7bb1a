/* Catalog workload direct-io: opens an unnamed file (O_TMPFILE: it vanishes
 * with the process, even killed) in DIR with O_DIRECT, prints "ready", waits
 * for one byte on stdin ("go"), then writes N blocks of KIB KiB (pwrite64, one
 * syscall each, fdatasync after the last) and reads them back (pread64), every
 * transfer bypassing the page cache. Prints "count writes N", "count reads N",
 * "count bytesWritten", "count bytesRead".
 *   direct-io DIR N KIB */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, size, writes = 0, reads = 0;
	long long written = 0, read_back = 0;
	void *buf;
	char go;
	int fd;

	if (argc != 4)
		return 2;
	n = atol(argv[2]);
	size = atol(argv[3]) * 1024;
	fd = open(argv[1], O_TMPFILE | O_RDWR | O_DIRECT, 0600);
	if (fd < 0) {
		perror("direct-io: open(O_TMPFILE | O_DIRECT)");
		return 4;
	}
	if (posix_memalign(&buf, 4096, size))
		return 5;
	memset(buf, 'x', size);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		ssize_t put = pwrite(fd, buf, size, i * size);
		if (put != size)
			break;
		writes++;
		written += put;
	}
	fdatasync(fd);
	for (long i = 0; i < writes; i++) {
		ssize_t got = pread(fd, buf, size, i * size);
		if (got != size)
			break;
		reads++;
		read_back += got;
	}
	printf("count writes %ld\ncount reads %ld\ncount bytesWritten %lld\ncount bytesRead %lld\n", writes, reads, written, read_back);
	fflush(stdout);
	return writes == n && reads == n ? 0 : 1;
}
