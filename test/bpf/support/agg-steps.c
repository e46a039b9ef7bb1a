/* Test workload for aggregations, driven step by step from stdin so that each
 * step's syscalls happen at a time the test chooses. Prints "ready", then for
 * each command line runs it and prints "done":
 *   p N        N x getppid()
 *   w N        write(2) to /dev/null of 1, 2, ..., N bytes
 *   s N US     N x nanosleep(US microseconds)
 *   c CPU      pin this process to CPU
 *   b MS       spin on the CPU for MS milliseconds
 *   d PATH N   N x 4 KiB O_DIRECT writes at distinct offsets of PATH, then fsync
 *   q          exit */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void)
{
	char line[4096], path[4000];
	long n, m;
	int devnull = open("/dev/null", O_WRONLY);

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
			fd = open(path, O_WRONLY | O_CREAT | O_DIRECT, 0600);
			if (fd < 0)
				return 8;
			for (long i = 0; i < n; i++)
				if (pwrite(fd, block, 4096, i * 8192) != 4096) /* gaps: no two requests merge */
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
