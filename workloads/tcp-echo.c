/* Catalog workload tcp-echo: a loopback echo server (thread "server") and a
 * client (the main thread) in one process. Listens on 127.0.0.1 at an
 * ephemeral port (printed as "info port N"), prints "ready", waits for one
 * byte on stdin ("go"), then makes N connections; on each the client sends B
 * bytes, the server echoes them back, the client reads all B and closes.
 * Prints "count connections N", "count bytesSent", "count bytesEchoed".
 *   tcp-echo N B */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int listener;
static char buf[1 << 16];

static void *serve(void *arg)
{
	static char echo[1 << 16];

	(void)arg;
	for (;;) {
		int c = accept(listener, NULL, NULL);
		ssize_t got;

		if (c < 0)
			continue;
		while ((got = read(c, echo, sizeof(echo))) > 0)
			for (ssize_t off = 0; off < got;) {
				ssize_t put = write(c, echo + off, got - off);
				if (put <= 0)
					break;
				off += put;
			}
		close(c);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	long n, bytes, connections = 0;
	long long sent = 0, echoed = 0;
	pthread_t server;
	char go;

	if (argc != 3)
		return 2;
	n = atol(argv[1]);
	bytes = atol(argv[2]);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof(a)) || listen(listener, 128) ||
	    getsockname(listener, (struct sockaddr *)&a, &len))
		return 4;
	if (pthread_create(&server, NULL, serve, NULL))
		return 5;
	pthread_setname_np(server, "server");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	printf("info port %d\ninfo address 127.0.0.1\nready\n", ntohs(a.sin_port));
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		long out = 0, in = 0;

		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
			break;
		connections++;
		while (in < bytes) {
			if (out < bytes) {
				size_t chunk = bytes - out < (long)sizeof(buf) ? (size_t)(bytes - out) : sizeof(buf);
				ssize_t put = write(s, buf, chunk);
				if (put <= 0)
					break;
				out += put;
			}
			ssize_t got = read(s, buf, out - in < (long)sizeof(buf) ? (size_t)(out - in) : sizeof(buf));
			if (got <= 0)
				break;
			in += got;
		}
		sent += out;
		echoed += in;
		close(s);
	}
	printf("count connections %ld\ncount bytesSent %lld\ncount bytesEchoed %lld\n", connections, sent, echoed);
	fflush(stdout);
	return connections == n && echoed == (long long)n * bytes ? 0 : 1;
}
