/* tcp_events: TCP state changes (with connect latency and session lifetime)
 * and retransmissions, IPv4 and IPv6, one ring-buffer record each.
 *
 * The only description of the template's layouts (the TypeScript side reads
 * them from the compiled object's BTF: bpf/generated/tcp_events.ts). */
#ifndef PB_TCP_EVENTS_H
#define PB_TCP_EVENTS_H

enum __attribute__((packed)) tcp_event_kind {
	TCP_EV_STATE = 1,      /* sock:inet_sock_set_state */
	TCP_EV_RETRANSMIT = 2, /* tcp:tcp_retransmit_skb */
};

struct tcp_event {
	__u64 ts_ns;          /* bpf_ktime_get_ns() */
	__u64 skaddr;         /* the socket's kernel address: groups one connection's rows */
	__u64 state_ns;       /* time spent in oldstate (SYN_SENT -> ESTABLISHED: connect latency); 0 = unknown */
	__u64 age_ns;         /* time since the socket was first seen (-> CLOSE: session lifetime); 0 = unknown */
	__u64 bytes_acked;    /* tcp_sock counters at this moment (tp_btf variant only, else 0) */
	__u64 bytes_received;
	__u32 pid;            /* the process that first touched the socket here (connect(), ...) */
	__u32 cpu;
	__s32 oldstate;       /* TCP_* (1 ESTABLISHED, 2 SYN_SENT, ... 7 CLOSE); retransmit: -1 */
	__s32 newstate;       /* the new state; retransmit: the socket's state */
	__u16 family;         /* AF_INET (2) or AF_INET6 (10) */
	__u16 sport;          /* host byte order */
	__u16 dport;
	enum tcp_event_kind kind;
	__u8 has_bytes;       /* bytes_* are real (tp_btf variant) */
	__u8 saddr[16];       /* IPv4: the first 4 bytes */
	__u8 daddr[16];
	char comm[16];        /* of `pid` */
};

struct tcp_events_config {
	__u16 port;           /* 0 = any; else sport or dport must equal it */
	__u16 family;         /* 0 = any; AF_INET or AF_INET6 */
	__u8 retransmits;     /* emit TCP_EV_RETRANSMIT rows */
	__u8 _pad[3];
	__u64 wakeup_bytes;   /* as in tp_events: wake the reader only for a backlog */
};

#endif
