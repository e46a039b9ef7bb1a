// tls: the plaintext of OpenSSL's SSL_read/SSL_write and SSL_read_ex/SSL_write_ex.
//
// Two programs for every function of every library (or statically linked
// binary) the plan names: pb_tls_entry at the entry saves the buffer (and for
// the _ex variants the size_t * that receives the byte count) per thread;
// pb_tls_return at the return, when SSL_read has filled the buffer, reads how
// many bytes moved and either copies min(bytes, cap) of them into a ring
// record or folds the call into the keyed aggregation (cfg.aggregate). Which
// function and library fired comes from the attach cookie (function | library
// << 8), so one program serves them all.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tls.h"

const volatile struct tls_config cfg = {};

/* Never read: keep the record and value layouts in BTF for the generated descriptor. */
const volatile struct tls_event pb_tls_event_layout = {};
const volatile struct agg_value pb_value_layout = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* the loader sets the real size */
} pb_events SEC(".maps");

/* The call in progress of each thread, in the thread's own storage: no hash
 * to look up, update and delete on every call (an LRU hash cost ~300 ns of
 * each call here), and it goes with the thread, so a thread that dies inside
 * SSL_read leaves nothing behind. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tls_call);
} pb_tls_calls SEC(".maps");

PB_COUNTER(pb_drops); /* records refused by a full ring (calls passed = rows + these); a row's len - captured is what the cap cut */
PB_RUN_SWITCH;

static __always_inline bool is_ex(__u64 cookie)
{
	__u8 fn = cookie & 0xff;

	return fn == TLS_FN_SSL_READ_EX || fn == TLS_FN_SSL_WRITE_EX;
}

SEC("uprobe")
int pb_tls_entry(struct pt_regs *ctx)
{
	struct tls_call *c;

	if (pb_run_stopped())
		return 0;
	/* another process: its return is filtered out anyway (with a pid namespace, the filter decides) */
	if (cfg.filter.tgid && !cfg.filter.pidns_ino && (__u32)(bpf_get_current_pid_tgid() >> 32) != cfg.filter.tgid)
		return 0;
	c = bpf_task_storage_get(&pb_tls_calls, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	c->cookie = bpf_get_attach_cookie(ctx);
	c->buf = PT_REGS_PARM2(ctx);
	c->nbytes = is_ex(c->cookie) ? PT_REGS_PARM4(ctx) : 0;
	c->active = 1;
	return 0;
}

/* Reserves a record with room for `room` bytes (a constant on each path: the
 * verifier wants a reservation's size known) and copies min(captured, room). */
static __always_inline int emit_sized(struct tls_values *v, __u64 buf, struct pb_ids *ids, const __u32 room)
{
	struct tls_event *e;
	__u32 n = v->captured;

	e = pb_reserve(&pb_events, sizeof(struct tls_event) + room, &pb_drops);
	if (!e)
		return 0;
	/* A comparison, not a mask: the bound the verifier sees for the copy, and
	 * `n & (room - 1)` would turn a full record (n == room) into nothing. */
	if (n > room)
		n = room;
	v->captured = n;
	pb_need_pid(&cfg.filter, ids);
	pb_need_uid(ids);
	pb_fill_header(&e->header, ids);
	e->v = *v;
	if (bpf_probe_read_user(e->data, n, (const void *)buf))
		e->v.captured = 0; /* unreadable (a page not present): the row keeps its length */
	pb_ringbuf_submit(&pb_events, e, cfg.wakeup_bytes);
	return 0;
}

/* Size classes of records: a small message does not take a cap-sized record. */
#define TLS_ROOM(k) ((k) < cfg.cap ? (k) : cfg.cap)

SEC("uretprobe")
int pb_tls_return(struct pt_regs *ctx)
{
	struct tls_values v = {};
	struct pb_ids ids = PB_IDS_INIT;
	struct tls_call *saved, c;
	__u64 cap = cfg.cap;

	if (pb_run_stopped())
		return 0;
	saved = bpf_task_storage_get(&pb_tls_calls, bpf_get_current_task_btf(), 0, 0);
	if (!saved || !saved->active)
		return 0; /* the call began before the probe was attached */
	c = *saved;
	saved->active = 0;

	/* Every variant returns a C int: sign-extend it, so -1 is never 2^64 - 1 bytes. */
	v.ret = (int)PT_REGS_RC(ctx);
	v.function = c.cookie & 0xff;
	v.direction = v.function & 1;
	v.library = (c.cookie >> 8) & 0xffff;
	if (is_ex(c.cookie)) {
		if (v.ret != 1 || bpf_probe_read_user(&v.len, sizeof(v.len), (const void *)c.nbytes))
			return 0; /* failed (0): nothing moved */
	} else {
		if (v.ret <= 0)
			return 0; /* an error, or a closed connection: nothing moved */
		v.len = v.ret;
	}
	if (!v.len)
		return 0;
	v.captured = v.len < cap ? v.len : cap;

	if (cfg.aggregate)
		return agg_hit(ctx, &v, &cfg.filter, &cfg.agg);
	if (!pb_filter_pass(&v, &cfg.filter, &ids))
		return 0;
	if (v.captured <= TLS_ROOM(64))
		return emit_sized(&v, c.buf, &ids, TLS_ROOM(64));
	if (v.captured <= TLS_ROOM(512))
		return emit_sized(&v, c.buf, &ids, TLS_ROOM(512));
	if (v.captured <= TLS_ROOM(4096))
		return emit_sized(&v, c.buf, &ids, TLS_ROOM(4096));
	if (v.captured <= TLS_ROOM(16384))
		return emit_sized(&v, c.buf, &ids, TLS_ROOM(16384));
	if (v.captured <= TLS_ROOM(131072))
		return emit_sized(&v, c.buf, &ids, TLS_ROOM(131072));
	return emit_sized(&v, c.buf, &ids, TLS_ROOM(TLS_CAP_MAX));
}

char LICENSE[] SEC("license") = "GPL";
