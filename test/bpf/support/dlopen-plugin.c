/* A process whose traced library goes away while it lives: prints "ready",
 * waits for one byte on stdin, dlopen()s argv[1], calls its
 * probebook_plugin_tick() argv[2] times (1 ms apart, after a pause that lets a
 * watcher see the library mapped), dlclose()s it (the library is unmapped:
 * nothing else holds it), prints "closed N" and stays alive for argv[3] seconds. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char go;
	long n, sum = 0;

	if (argc != 4)
		return 2;
	n = atol(argv[2]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 4;
	}
	int (*tick)(int) = (int (*)(int))dlsym(lib, "probebook_plugin_tick");
	if (!tick)
		return 5;
	usleep(300 * 1000);
	for (long i = 0; i < n; i++) {
		sum += tick((int)i);
		usleep(1000);
	}
	usleep(300 * 1000);
	if (dlclose(lib) != 0)
		return 6;
	printf("closed %ld\n", n);
	fflush(stdout);
	sleep(atoi(argv[3]));
	return sum > 0 ? 0 : 7;
}
