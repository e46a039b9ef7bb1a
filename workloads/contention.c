/* Catalog workload contention: more runnable threads than CPUs, for
 * run-queue latency. Prints the CPUs it sees ("info cpus N"), starts
 * THREADS_PER_CPU x CPUs threads (each named "spinner"), prints "ready", waits
 * for one byte on stdin ("go"); then every thread, LOOPS times, spins for
 * SPIN_US microseconds and sleeps 100 us (clock_nanosleep), so that each wakes
 * into a queue of others. Prints "count threads T", "count sleeps S"
 * (T x LOOPS, one clock_nanosleep each).
 *   contention THREADS_PER_CPU LOOPS SPIN_US */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long loops, spin_us;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;
static int go_now;
static long sleeps;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void *spinner(void *arg)
{
	struct timespec nap = { 0, 100 * 1000 };
	long mine = 0;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!go_now)
		pthread_cond_wait(&started, &lock);
	pthread_mutex_unlock(&lock);
	for (long i = 0; i < loops; i++) {
		long long end = now_us() + spin_us;
		while (now_us() < end)
			;
		if (clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL) == 0)
			mine++;
	}
	__atomic_add_fetch(&sleeps, mine, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), per, n;
	pthread_t *threads;
	char go;

	if (argc != 4)
		return 2;
	per = atol(argv[1]);
	loops = atol(argv[2]);
	spin_us = atol(argv[3]);
	n = per * cpus;
	threads = calloc(n, sizeof(*threads));
	for (long i = 0; i < n; i++) {
		if (pthread_create(&threads[i], NULL, spinner, NULL))
			return 4;
		pthread_setname_np(threads[i], "spinner");
	}
	printf("info cpus %ld\ninfo threads %ld\nready\n", cpus, n);
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	pthread_mutex_lock(&lock);
	go_now = 1;
	pthread_cond_broadcast(&started);
	pthread_mutex_unlock(&lock);
	for (long i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	printf("count threads %ld\ncount sleeps %ld\n", n, sleeps);
	fflush(stdout);
	return sleeps == n * loops ? 0 : 1;
}
