/* Test program for tls()'s Go message: it carries the section the Go linker
 * writes into every Go binary (.go.buildinfo, starting with Go's build-info
 * magic), so it looks like a Go program that calls no OpenSSL function.
 * Waits for one byte on stdin, then exits. */
#include <stdio.h>
#include <unistd.h>

__attribute__((used, section(".go.buildinfo"))) static const char buildinfo[32] = "\xff Go buildinf:\x08\x02";

int main(void)
{
	char go;

	printf("ready\n");
	fflush(stdout);
	return read(0, &go, 1) == 1 ? 0 : 3;
}
