// Watches the kernel's own view of an attachment: a process holds a perf event
// fd with a BPF program on the tracepoint (BPF_TASK_FD_QUERY, what `bpftool
// perf list` shows). Nothing a tracer prints is trusted as "attached".
//
//   attachwatch -p PID -t TP [-g] [-T MS]   poll PID; print the CLOCK_MONOTONIC ns
//                                           when TP is attached (-g: when it is gone)
//   attachwatch -t TP [-T MS] -- CMD ARGS   fork+exec CMD; print ms from fork to
//                                           attached, then SIGINT it (resent every
//                                           0.5 s: bpftrace 0.17 can lose one) and
//                                           print ms from the SIGINT to its exit
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* 1: PID has a perf fd with a program on tracepoint TP; 0: not; -1: PID gone. */
static int attached(int pid, const char *tp)
{
	char dirpath[64], buf[256];
	snprintf(dirpath, sizeof(dirpath), "/proc/%d/fd", pid);
	DIR *d = opendir(dirpath);
	if (!d)
		return -1;
	struct dirent *de;
	int found = 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		int fd = atoi(de->d_name);
		__u32 len = sizeof(buf), prog_id, fd_type;
		__u64 off, addr;
		if (bpf_task_fd_query(pid, fd, 0, buf, &len, &prog_id, &fd_type, &off, &addr) == 0 &&
		    fd_type == BPF_FD_TYPE_TRACEPOINT && strcmp(buf, tp) == 0)
			found = 1;
	}
	closedir(d);
	return found;
}

static void usage(void)
{
	fprintf(stderr, "usage: attachwatch -p PID -t TRACEPOINT [-g] [-T TIMEOUT_MS]\n"
	                "       attachwatch -t TRACEPOINT [-T TIMEOUT_MS] -- CMD [ARGS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int pid = 0, gone = 0, opt;
	long timeout_ms = 30000;
	const char *tp = NULL;
	while ((opt = getopt(argc, argv, "+p:t:gT:")) != -1) {
		if (opt == 'p') pid = atoi(optarg);
		else if (opt == 't') tp = optarg;
		else if (opt == 'g') gone = 1;
		else if (opt == 'T') timeout_ms = atol(optarg);
		else usage();
	}
	if (!tp || (!pid && optind >= argc))
		usage();
	struct timespec nap = { 0, 100000 }; /* 0.1 ms between polls */

	if (pid) {
		long long deadline = mono_ns() + timeout_ms * 1000000LL;
		for (;;) {
			int a = attached(pid, tp);
			if (a < 0 && !gone) { fprintf(stderr, "attachwatch: process %d is gone\n", pid); return 1; }
			if (gone ? a <= 0 : a == 1) { printf("%lld\n", mono_ns()); return 0; }
			if (mono_ns() > deadline) { fprintf(stderr, "attachwatch: timed out after %ld ms waiting for %s in %d\n", timeout_ms, tp, pid); return 3; }
			nanosleep(&nap, NULL);
		}
	}

	long long t0 = mono_ns();
	int child = fork();
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		perror("attachwatch: exec");
		_exit(127);
	}
	long long deadline = t0 + timeout_ms * 1000000LL, t_att = 0;
	int status;
	for (;;) {
		int a = attached(child, tp);
		if (a == 1) { t_att = mono_ns(); break; }
		if (waitpid(child, &status, WNOHANG) == child) { fprintf(stderr, "attachwatch: %s exited before attaching\n", argv[optind]); return 1; }
		if (mono_ns() > deadline) { kill(child, SIGKILL); fprintf(stderr, "attachwatch: timed out\n"); return 3; }
		nanosleep(&nap, NULL);
	}
	long long t_int = mono_ns(), last = 0;
	for (;;) {
		long long now = mono_ns();
		if (now - last > 500000000LL) { kill(child, SIGINT); last = now; }
		if (waitpid(child, &status, WNOHANG) == child) break;
		if (now - t_int > timeout_ms * 1000000LL) { kill(child, SIGKILL); waitpid(child, &status, 0); break; }
		nanosleep(&nap, NULL);
	}
	long long t_exit = mono_ns();
	printf("attach_ms=%.3f exit_ms=%.3f\n", (t_att - t0) / 1e6, (t_exit - t_int) / 1e6);
	return 0;
}
