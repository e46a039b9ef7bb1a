/* Test workload: waits for one byte on stdin ("go"), then makes exactly
 * argv[2] TCP connections to 127.0.0.1:argv[1] (each socket, connect, close),
 * and exits 0 only if every connect succeeded. The test runs the listener. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char go;
	long n;

	if (argc != 3)
		return 2;
	a.sin_port = htons(atoi(argv[1]));
	n = atol(argv[2]);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
			return 1;
		close(s);
	}
	return 0;
}
