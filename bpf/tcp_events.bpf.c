// tcp_events: TCP connection life cycle from sock:inet_sock_set_state, and
// retransmissions from tcp:tcp_retransmit_skb.
//
// Two variants of the state program; the loader autoloads one:
//  * pb_tcp_state_btf (tp_btf): gets the struct sock itself, so it also reads
//    tcp_sock's bytes_acked / bytes_received through CO-RE;
//  * pb_tcp_state (classic tracepoint): the tracepoint's fields only.
// Per-socket timestamps live in pb_socks (keyed by the sock address), so each
// state row carries the time spent in the old state (SYN_SENT -> ESTABLISHED
// is the connect latency) and the socket's age (-> CLOSE is the lifetime).
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "common.bpf.h"
#include "tcp_events.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

const volatile struct tcp_events_config cfg = {};

/* Never read: keeps struct tcp_event in BTF for the generated descriptor. */
const volatile struct tcp_event pb_tcp_event_layout = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} pb_events SEC(".maps");

struct sock_seen {
	__u64 first_ns, last_ns;
	__u32 pid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct sock_seen);
} pb_socks SEC(".maps");

PB_COUNTER(pb_drops); /* reservations refused by a full ring (events passed = rows + these) */
PB_RUN_SWITCH;

static __always_inline bool wanted(__u16 family, __u16 sport, __u16 dport)
{
	if (cfg.family && family != cfg.family)
		return false;
	if (family != AF_INET && family != AF_INET6)
		return false;
	return !cfg.port || sport == cfg.port || dport == cfg.port;
}

static __always_inline struct tcp_event *reserve(void)
{
	struct tcp_event *e;

	if (pb_run_stopped()) /* before anything counts: see PB_RUN_SWITCH */
		return NULL;
	e = pb_reserve(&pb_events, sizeof(*e), &pb_drops);
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	return e;
}

static __always_inline void submit(struct tcp_event *e)
{
	pb_ringbuf_submit(&pb_events, e, cfg.wakeup_bytes);
}

/* Times and owner of the socket; the entry goes when the socket closes.
 * Map keys are copied to the stack: kernels before 6.2 (6.1 among them) refuse
 * ring-buffer memory as a map key ("R2 type=alloc_mem expected=fp, ..."). */
static __always_inline void track(struct tcp_event *e)
{
	__u64 key = e->skaddr;
	struct sock_seen *s = bpf_map_lookup_elem(&pb_socks, &key);

	if (s) {
		e->state_ns = e->ts_ns - s->last_ns;
		e->age_ns = e->ts_ns - s->first_ns;
		e->pid = s->pid;
		__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
		s->last_ns = e->ts_ns;
	} else {
		struct sock_seen fresh = { .first_ns = e->ts_ns, .last_ns = e->ts_ns };

		fresh.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		e->pid = fresh.pid;
		__builtin_memcpy(e->comm, fresh.comm, sizeof(e->comm));
		if (e->newstate != TCP_CLOSE)
			bpf_map_update_elem(&pb_socks, &key, &fresh, BPF_ANY);
	}
	if (e->newstate == TCP_CLOSE)
		bpf_map_delete_elem(&pb_socks, &key);
}

/* The record's addresses, from a tracepoint record's IPv4 or IPv6 fields by
 * e->family. bpf_probe_read_kernel, not memcpy: clang turns the copy into
 * loads through ctx + offset, which the verifier refuses for a ctx pointer. */
static __always_inline void copy_addrs(struct tcp_event *e, const void *saddr, const void *daddr,
				       const void *saddr_v6, const void *daddr_v6)
{
	if (e->family == AF_INET) {
		bpf_probe_read_kernel(e->saddr, 4, saddr);
		bpf_probe_read_kernel(e->daddr, 4, daddr);
	} else {
		bpf_probe_read_kernel(e->saddr, 16, saddr_v6);
		bpf_probe_read_kernel(e->daddr, 16, daddr_v6);
	}
}

SEC("tracepoint/sock/inet_sock_set_state")
int pb_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct tcp_event *e;

	if (ctx->protocol != IPPROTO_TCP || !wanted(ctx->family, ctx->sport, ctx->dport))
		return 0;
	if (!(e = reserve()))
		return 0;
	e->kind = TCP_EV_STATE;
	e->skaddr = (__u64)ctx->skaddr;
	e->oldstate = ctx->oldstate;
	e->newstate = ctx->newstate;
	e->family = ctx->family;
	e->sport = ctx->sport;
	e->dport = ctx->dport;
	copy_addrs(e, ctx->saddr, ctx->daddr, ctx->saddr_v6, ctx->daddr_v6);
	track(e);
	submit(e);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(pb_tcp_state_btf, const struct sock *sk, const int oldstate, const int newstate)
{
	struct tcp_event *e;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* inet_sport, as the classic tracepoint reads it: skc_num is already 0
	 * at -> CLOSE (inet_put_port() released the port). */
	__u16 sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	__u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP || !wanted(family, sport, dport))
		return 0;
	if (!(e = reserve()))
		return 0;
	e->kind = TCP_EV_STATE;
	e->skaddr = (__u64)sk;
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->family = family;
	e->sport = sport;
	e->dport = dport;
	/* bpf_core_read with explicit sizes: BPF_CORE_READ_INTO would copy
	 * sizeof(*e->saddr), one byte. */
	if (family == AF_INET) {
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	/* a TCP socket is a tcp_sock (sk_protocol checked above) */
	e->bytes_acked = BPF_CORE_READ((struct tcp_sock *)sk, bytes_acked);
	e->bytes_received = BPF_CORE_READ((struct tcp_sock *)sk, bytes_received);
	e->has_bytes = 1;
	track(e);
	submit(e);
	return 0;
}

/* tcp:tcp_retransmit_skb's record has two BTF names. 6.1 defines the event in
 * the class tcp_event_sk_skb (struct trace_event_raw_tcp_event_sk_skb); newer
 * kernels, the host's 6.18 among them, give it a record of its own
 * (struct trace_event_raw_tcp_retransmit_skb, which adds err). The fields read
 * here are the same in both; the ___old flavour names the older type for CO-RE
 * without clashing with a vmlinux.h that has it, and bpf_core_type_exists
 * keeps the one the running kernel has (the verifier drops the other). */
struct trace_event_raw_tcp_event_sk_skb___old {
	const void *skaddr;
	int state;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
} __attribute__((preserve_access_index));

struct retransmit_fields {
	__u64 skaddr;
	int state;
	__u16 sport, dport, family;
	const void *saddr, *daddr, *saddr_v6, *daddr_v6;
};

/* Read with bpf_core_read (probe reads) rather than loads: clang merges the two
 * variants' loads through one computed ctx pointer, and the verifier refuses a
 * dereference of a modified ctx pointer. */
#define READ_RETRANSMIT(type, ctx, f) do {					\
	type *r = (type *)(ctx);						\
	const void *sk = 0;							\
	bpf_core_read(&sk, sizeof(sk), &r->skaddr);				\
	(f)->skaddr = (__u64)sk;						\
	bpf_core_read(&(f)->state, sizeof((f)->state), &r->state);		\
	bpf_core_read(&(f)->sport, sizeof((f)->sport), &r->sport);		\
	bpf_core_read(&(f)->dport, sizeof((f)->dport), &r->dport);		\
	bpf_core_read(&(f)->family, sizeof((f)->family), &r->family);		\
	(f)->saddr = __builtin_preserve_access_index(&r->saddr);		\
	(f)->daddr = __builtin_preserve_access_index(&r->daddr);		\
	(f)->saddr_v6 = __builtin_preserve_access_index(&r->saddr_v6);	\
	(f)->daddr_v6 = __builtin_preserve_access_index(&r->daddr_v6);	\
} while (0)

SEC("tracepoint/tcp/tcp_retransmit_skb")
int pb_tcp_retransmit(void *ctx)
{
	struct retransmit_fields f = {};
	struct sock_seen *s;
	struct tcp_event *e;

	if (!cfg.retransmits)
		return 0;
	if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb))
		READ_RETRANSMIT(struct trace_event_raw_tcp_retransmit_skb, ctx, &f);
	else
		READ_RETRANSMIT(struct trace_event_raw_tcp_event_sk_skb___old, ctx, &f);
	if (!wanted(f.family, f.sport, f.dport))
		return 0;
	if (!(e = reserve()))
		return 0;
	e->kind = TCP_EV_RETRANSMIT;
	e->skaddr = f.skaddr;
	e->oldstate = -1;
	e->newstate = f.state;
	e->family = f.family;
	e->sport = f.sport;
	e->dport = f.dport;
	copy_addrs(e, f.saddr, f.daddr, f.saddr_v6, f.daddr_v6);
	s = bpf_map_lookup_elem(&pb_socks, &f.skaddr); /* on the stack: see track() */
	if (s) {
		e->age_ns = e->ts_ns - s->first_ns;
		e->pid = s->pid;
		__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
	}
	submit(e);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
