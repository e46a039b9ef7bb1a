/* The launcher of every catalog workload (runtime/workloads/spawn.ts):
 *   launch PARENT_PID CPU_SECONDS PROGRAM [ARGS...]
 * Node's spawn cannot ask the kernel to kill a child when its parent dies, so
 * this does it between fork and exec: PR_SET_PDEATHSIG survives execve (it is
 * only cleared by fork and set-uid binaries), so PROGRAM is SIGKILLed the
 * moment the kernel process dies, SIGKILL included. If the parent died before
 * prctl took effect, getppid() is no longer PARENT_PID and nothing runs.
 * RLIMIT_CPU caps the work: past CPU_SECONDS of CPU time the program gets
 * SIGXCPU, then SIGKILL a second later. The process group is the one Node's
 * `detached` gave it (its own), so the host can kill the program and every
 * child it forks with one kill(-pid). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: launch PARENT_PID CPU_SECONDS PROGRAM [ARGS...]\n");
		return 120;
	}
	pid_t parent = (pid_t)atol(argv[1]);
	rlim_t cpu = (rlim_t)atol(argv[2]);
	struct rlimit limit = { cpu, cpu + 1 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		perror("launch: prctl(PR_SET_PDEATHSIG)");
		return 121;
	}
	if (getppid() != parent)
		return 122; /* the kernel is already gone */
	if (cpu > 0 && setrlimit(RLIMIT_CPU, &limit) != 0) {
		perror("launch: setrlimit(RLIMIT_CPU)");
		return 123;
	}
	execv(argv[3], argv + 3);
	perror("launch: execv");
	return 124;
}
