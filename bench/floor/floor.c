// The floor loader: the least a hand-written libbpf tool does to count, build
// a histogram or stream getppid events. `floor count|hist|stream [-w BYTES]
// [-r BYTES]` loads build/<mode>.bpf.o, attaches, prints "ready", and on
// SIGINT/SIGTERM detaches, drains and prints one JSON line with the totals and
// its own open/load/attach/detach times (microseconds, in-process).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "floor.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, args);
	return 0;
}

static unsigned long long received;

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	const struct floor_event *e = data;
	/* Touch the fields as a real consumer would; the sum keeps them live. */
	static volatile __u64 sink;
	if (size >= sizeof(*e))
		sink += e->ts_ns + e->pid + e->cpu;
	received++;
	return 0;
}

/* Sum of every per-CPU value of every key in a map of __u64 values. */
static unsigned long long sum_percpu_map(int fd, size_t key_size, int ncpu)
{
	unsigned long long total = 0;
	char key[64], next[64];
	__u64 *vals = calloc(ncpu, sizeof(__u64));
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (bpf_map_lookup_elem(fd, next, vals) == 0)
			for (int i = 0; i < ncpu; i++)
				total += vals[i];
		memcpy(key, next, key_size);
		prev = key;
	}
	free(vals);
	return total;
}

static void usage(void)
{
	fprintf(stderr, "usage: floor count|hist|stream [-w WAKEUP_BYTES] [-r RING_BYTES] [-o DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *mode = argv[1];
	long long wakeup_bytes = -1, ring_bytes = 16 << 20;
	char dir[4096];
	/* Objects live in build/ next to the loader binary. */
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n < 0) { perror("readlink /proc/self/exe"); return 1; }
	dir[n] = 0;
	*strrchr(dir, '/') = 0;
	int opt;
	optind = 2;
	while ((opt = getopt(argc, argv, "w:r:")) != -1) {
		if (opt == 'w') wakeup_bytes = atoll(optarg);
		else if (opt == 'r') ring_bytes = atoll(optarg);
		else usage();
	}
	if (strcmp(mode, "count") && strcmp(mode, "hist") && strcmp(mode, "stream"))
		usage();
	if (wakeup_bytes < 0)
		wakeup_bytes = ring_bytes / 4; /* what probebook's planner picks */

	libbpf_set_print(quiet_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	char path[4200];
	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, mode);
	double t0 = now_us();
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) { fprintf(stderr, "floor: open %s: %s\n", path, strerror(errno)); return 1; }
	if (!strcmp(mode, "stream")) {
		struct bpf_map *rb = bpf_object__find_map_by_name(obj, "events");
		bpf_map__set_max_entries(rb, ring_bytes);
		struct bpf_map *ro = bpf_object__find_map_by_name(obj, ".rodata");
		__u64 w = wakeup_bytes; /* .rodata holds only wakeup_bytes */
		if (!ro || bpf_map__set_initial_value(ro, &w, sizeof(w))) { fprintf(stderr, "floor: set .rodata of %s\n", path); return 1; }
	}
	double t1 = now_us();
	if (bpf_object__load(obj)) { fprintf(stderr, "floor: load %s: %s\n", path, strerror(errno)); return 1; }
	double t2 = now_us();
	struct bpf_link *links[4];
	int nlinks = 0;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		links[nlinks] = bpf_program__attach(prog);
		if (!links[nlinks]) { fprintf(stderr, "floor: attach %s: %s\n", bpf_program__name(prog), strerror(errno)); return 1; }
		nlinks++;
	}
	double t3 = now_us();

	struct ring_buffer *ring = NULL;
	if (!strcmp(mode, "stream")) {
		ring = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"), on_event, NULL, NULL);
		if (!ring) { fprintf(stderr, "floor: ring_buffer__new: %s\n", strerror(errno)); return 1; }
	}
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		if (ring) {
			int err = ring_buffer__poll(ring, 20);
			if (err < 0 && err != -EINTR) { fprintf(stderr, "floor: ring_buffer__poll: %d\n", err); break; }
		} else {
			pause();
		}
	}

	double d0 = now_us();
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	double d1 = now_us();

	int ncpu = libbpf_num_possible_cpus();
	unsigned long long events = 0, drops = 0;
	if (ring) {
		ring_buffer__consume(ring); /* what was submitted before the detach */
		events = received;
		__u32 zero = 0;
		__u64 *vals = calloc(ncpu, sizeof(__u64));
		if (bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(obj, "drops"), &zero, vals) == 0)
			for (int i = 0; i < ncpu; i++)
				drops += vals[i];
		free(vals);
		ring_buffer__free(ring);
	} else if (!strcmp(mode, "count")) {
		events = sum_percpu_map(bpf_object__find_map_fd_by_name(obj, "counts"), 16, ncpu);
	} else {
		int fd = bpf_object__find_map_fd_by_name(obj, "hist");
		__u64 *vals = calloc(ncpu, sizeof(__u64));
		for (__u32 slot = 0; slot < HIST_SLOTS; slot++)
			if (bpf_map_lookup_elem(fd, &slot, vals) == 0)
				for (int i = 0; i < ncpu; i++)
					events += vals[i];
		free(vals);
	}
	bpf_object__close(obj);
	printf("{\"mode\":\"%s\",\"events\":%llu,\"drops\":%llu,\"open_us\":%.1f,\"load_us\":%.1f,\"attach_us\":%.1f,\"detach_us\":%.1f}\n",
	       mode, events, drops, t1 - t0, t2 - t1, t3 - t2, d1 - d0);
	return 0;
}
