/* Test workload for aggregations, driven step by step from stdin so that each
 * step's syscalls happen at a time the test chooses. Prints "ready", then for
 * each command line runs it and prints "done":
 *   p N        N x getppid()
 *   w N        write(2) to /dev/null of 1, 2, ..., N bytes
 *   s N US     N x nanosleep(US microseconds)
 *   c CPU      pin this process to CPU
 *   b MS       spin on the CPU for MS milliseconds
 *   d PATH N   N x 4 KiB O_DIRECT writes at offsets 0, 8 KiB, 16 KiB, ... of PATH,
 *              created and preallocated first, then fsync
 *   q          exit
 * Run as `agg-steps extents PATH` it instead prints PATH's extents (FIEMAP), one
 * line each: logical byte offset, physical byte offset on the file system's
 * block device, length in bytes, fiemap flags (all decimal). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Prints the extents of `path`, synced first so that every block has its place. */
static int print_extents(const char *path)
{
	enum { MAX_EXTENTS = 512 };
	struct fiemap *fm = calloc(1, sizeof(*fm) + MAX_EXTENTS * sizeof(struct fiemap_extent));
	int fd = open(path, O_RDONLY);

	if (!fm || fd < 0)
		return 10;
	fm->fm_length = FIEMAP_MAX_OFFSET;
	fm->fm_flags = FIEMAP_FLAG_SYNC;
	fm->fm_extent_count = MAX_EXTENTS;
	if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
		perror("agg-steps: FS_IOC_FIEMAP (the file system must map files to blocks)");
		return 11;
	}
	if (fm->fm_mapped_extents == MAX_EXTENTS)
		return 12; /* maybe more than fit: the caller would get a partial map */
	for (__u32 i = 0; i < fm->fm_mapped_extents; i++) {
		struct fiemap_extent *e = &fm->fm_extents[i];
		printf("%llu %llu %llu %u\n", (unsigned long long)e->fe_logical, (unsigned long long)e->fe_physical,
		       (unsigned long long)e->fe_length, e->fe_flags);
	}
	close(fd);
	free(fm);
	return 0;
}

int main(int argc, char **argv)
{
	char line[4096], path[4000];
	long n, m;
	int devnull = open("/dev/null", O_WRONLY);

	if (argc == 3 && !strcmp(argv[1], "extents"))
		return print_extents(argv[2]);

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		switch (line[0]) {
		case 'p':
			n = atol(line + 2);
			for (long i = 0; i < n; i++)
				getppid();
			break;
		case 'w':
			n = atol(line + 2);
			for (long i = 1; i <= n && i <= (long)sizeof(buf); i++)
				if (write(devnull, buf, i) != i)
					return 4;
			break;
		case 's':
			if (sscanf(line + 2, "%ld %ld", &n, &m) != 2)
				return 5;
			for (long i = 0; i < n; i++) {
				struct timespec t = { m / 1000000, (m % 1000000) * 1000 };
				nanosleep(&t, NULL);
			}
			break;
		case 'c': {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(atoi(line + 2), &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				return 6;
			break;
		}
		case 'b': {
			double end = now_ms() + atol(line + 2);
			volatile unsigned long x = 0;
			while (now_ms() < end)
				for (int i = 0; i < 1000; i++)
					x++;
			break;
		}
		case 'd': {
			void *block;
			int fd;
			if (sscanf(line + 2, "%3999s %ld", path, &n) != 2 || posix_memalign(&block, 4096, 4096))
				return 7;
			memset(block, 'x', 4096);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_DIRECT, 0600);
			if (fd < 0)
				return 8;
			/* Allocated before the writes, so that each write only fills its block: none
			 * extends the file (no allocation, no size update in the write) and, the
			 * allocation being contiguous, written blocks have unwritten ones between them
			 * on the device. Each write waits for its request, which so never meets
			 * another of these in the queue: one request per write, never merged. */
			if (fallocate(fd, 0, 0, n * 8192)) {
				perror("agg-steps: fallocate (the d step needs a file system that preallocates)");
				return 13;
			}
			for (long i = 0; i < n; i++)
				if (pwrite(fd, block, 4096, i * 8192) != 4096)
					return 9;
			fsync(fd);
			close(fd);
			free(block);
			break;
		}
		case 'q':
			return 0;
		default:
			return 3;
		}
		printf("done\n");
		fflush(stdout);
	}
	return 0;
}
