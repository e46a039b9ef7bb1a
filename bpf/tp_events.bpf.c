// tp_events: a generic tracepoint event stream.
//
// SEC("tracepoint") has no fixed target: the loader attaches the program to any
// classic tracepoint by name. What to copy out of the raw record is the field
// plan in `cfg` (see tp_events.h), written into .rodata before load.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tp_events.h"

const volatile struct tp_events_config cfg = {};

/* Never read: keeps struct tp_event_header in the object's BTF so the
 * TypeScript descriptor (event header layout) is generated from this object. */
const volatile struct tp_event_header pb_event_header_layout = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* the loader sets the real size */
} pb_events SEC(".maps");

/* Reservations that failed because the ring was full: shown to the user. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pb_drops SEC(".maps");

/* Events that passed the filters (= received + dropped). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pb_seen SEC(".maps");

static __always_inline void bump(void *counter)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(counter, &zero);

	if (v)
		(*v)++;
}

static __always_inline void copy_field(void *ctx, void *event, const volatile struct tp_field_plan *f)
{
	void *dst = event + f->dst_off;
	void *src = ctx + f->src_off;
	__u64 ptr = 0;
	__u32 loc = 0;
	long n = -1;

	switch (f->kind) {
	case TP_FIELD_INT:
	case TP_FIELD_ARRAY:
		bpf_probe_read_kernel(dst, f->size, src); /* zeroes dst on failure */
		return;
	case TP_FIELD_DATA_LOC:
	case TP_FIELD_REL_LOC:
		if (bpf_probe_read_kernel(&loc, sizeof(loc), src) == 0) {
			__u32 off = loc & 0xffff;

			if (f->kind == TP_FIELD_REL_LOC)
				off += f->src_off + sizeof(loc);
			n = bpf_probe_read_kernel_str(dst, f->max_len, ctx + off);
		}
		break;
	case TP_FIELD_USER_STR:
		if (bpf_probe_read_kernel(&ptr, sizeof(ptr), src) == 0)
			n = bpf_probe_read_user_str(dst, f->max_len, (const void *)ptr);
		break;
	case TP_FIELD_KERNEL_STR:
		if (bpf_probe_read_kernel(&ptr, sizeof(ptr), src) == 0)
			n = bpf_probe_read_kernel_str(dst, f->max_len, (const void *)ptr);
		break;
	default:
		return;
	}
	if (n <= 0) /* unreadable (e.g. a user page not present yet): empty string */
		*(char *)dst = 0;
}

/* Process and thread id as the reader sees them. In a container (its own pid
 * namespace) bpf_get_current_pid_tgid() would give the host's ids, which the
 * reader cannot match against its own; tasks outside its namespace get 0. */
static __always_inline void current_ids(__u32 *tgid, __u32 *tid)
{
	if (cfg.pidns_ino) { /* a constant: the verifier prunes the branch not taken */
		struct bpf_pidns_info ns = {};

		if (bpf_get_ns_current_pid_tgid(cfg.pidns_dev, cfg.pidns_ino, &ns, sizeof(ns)))
			ns.tgid = ns.pid = 0;
		*tgid = ns.tgid;
		*tid = ns.pid;
	} else {
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		*tgid = pid_tgid >> 32;
		*tid = (__u32)pid_tgid;
	}
}

SEC("tracepoint")
int pb_tp_events(void *ctx)
{
	__u32 tgid, tid;
	__u64 uid_gid, flags = 0;
	struct tp_event_header *h;
	void *e;

	current_ids(&tgid, &tid);
	if (cfg.target_tgid && tgid != cfg.target_tgid)
		return 0;
	bump(&pb_seen);

	/* cfg.event_size is a verifier-known constant (frozen rodata) */
	e = bpf_ringbuf_reserve(&pb_events, cfg.event_size, 0);
	if (!e) {
		bump(&pb_drops);
		return 0;
	}

	h = e;
	h->ts_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->cpu = bpf_get_smp_processor_id();
	h->pid = tgid;
	h->tid = tid;
	uid_gid = bpf_get_current_uid_gid();
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->_pad = 0;

	for (__u32 i = 0; i < TP_MAX_FIELDS; i++) {
		if (i >= cfg.nfields)
			break;
		copy_field(ctx, e, &cfg.fields[i]);
	}

	/* Waking the consumer per event costs ~1.2 us (anchors PART 1 (e) vs (e')):
	 * wake it only when a batch is pending; it polls with a timeout for the tail. */
	if (cfg.wakeup_bytes)
		flags = bpf_ringbuf_query(&pb_events, BPF_RB_AVAIL_DATA) >= cfg.wakeup_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(e, flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
