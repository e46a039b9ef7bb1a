/* Test and benchmark workload for tls(): N calls of SSL_write (or, with "ex",
 * SSL_write_ex) of SIZE bytes each over a TLS connection on a socketpair,
 * timed. The server end is handshaken in this process too, then drained as
 * raw bytes with read(2): no SSL_read, so every TLS call made after "go" is
 * one of the N writes. Message i is SIZE bytes of ('a' + (i + k) % 26).
 *
 *   ssl-writes CERT KEY N SIZE [ex]
 *
 * Prints "ready" once the handshake is done, waits for one byte on stdin,
 * then prints the nanoseconds the N writes took. Built dynamically or with
 * OpenSSL linked in statically (the tests do both). */
#define _GNU_SOURCE
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "ssl-writes: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void drain(int fd)
{
	char junk[65536];

	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

int main(int argc, char **argv)
{
	int sv[2], ex;
	long n, size;
	char go, *buf;
	SSL_CTX *cctx, *sctx;
	SSL *c, *s;
	struct timespec t0, t1;

	if (argc < 5)
		return 2;
	n = atol(argv[3]);
	size = atol(argv[4]);
	ex = argc > 5 && !strcmp(argv[5], "ex");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	/* room for a whole message in flight: the writer never waits for the drain */
	int bufsz = 4 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	sctx = SSL_CTX_new(TLS_server_method());
	cctx = SSL_CTX_new(TLS_client_method());
	if (!sctx || !cctx || SSL_CTX_use_certificate_file(sctx, argv[1], SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, argv[2], SSL_FILETYPE_PEM) != 1)
		die("context");
	c = SSL_new(cctx);
	s = SSL_new(sctx);
	SSL_set_fd(c, sv[0]);
	SSL_set_fd(s, sv[1]);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 1000; i++) { /* both ends in one thread: step each until done */
		int rc = SSL_do_handshake(c), rs = SSL_do_handshake(s);
		if (rc == 1 && rs == 1)
			break;
		if (i == 999)
			die("handshake");
	}
	/* TLS 1.3 sends session tickets after the handshake: drain them as raw bytes too */
	usleep(1000);
	drain(sv[1]);
	buf = malloc(size);
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 3;
	long long ns = 0;
	for (long i = 0; i < n; i++) {
		for (long k = 0; k < size; k++)
			buf[k] = 'a' + (i + k) % 26;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ex) {
			size_t written = 0;
			if (SSL_write_ex(c, buf, size, &written) != 1 || (long)written != size)
				die("SSL_write_ex");
		} else if (SSL_write(c, buf, size) != size) {
			die("SSL_write");
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns += (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
		drain(sv[1]);
	}
	printf("%lld\n", ns);
	return 0;
}
