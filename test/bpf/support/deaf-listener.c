/* Test workload for TCP retransmissions: listens on 127.0.0.1 (an ephemeral
 * port, printed as "port N") with a backlog of 1 and never accepts. Once its
 * accept queue is full the kernel drops new SYNs, so a client's SYN is
 * retransmitted (tcp:tcp_retransmit_skb) after the initial RTO (1 s). Exits
 * when stdin closes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char c;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (struct sockaddr *)&a, &len))
		return 1;
	printf("port %d\nready\n", ntohs(a.sin_port));
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
