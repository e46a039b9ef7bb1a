// tp_events: a generic tracepoint event stream.
//
// SEC("tracepoint") has no fixed target: the loader attaches the program to any
// classic tracepoint by name. What to copy out of the raw record is the field
// plan in `cfg` (see tp_events.h), written into .rodata before load; which
// events to keep is cfg.filter (filter.h), tested before anything is reserved.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tp_events.h"

const volatile struct tp_events_config cfg = {};

/* Never read: keeps struct pb_event_header in the object's BTF so the
 * TypeScript descriptor (event header layout) is generated from this object. */
const volatile struct pb_event_header pb_event_header_layout = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* the loader sets the real size */
} pb_events SEC(".maps");

/* Stack ids of the kstack/ustack columns; 1 entry unless the plan keeps one
 * (the loader sizes it). Read back and symbolised in user space. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TP_STACK_DEPTH * sizeof(__u64));
} pb_stacks SEC(".maps");

/* Reservations that failed because the ring was full: shown to the user.
 * Events that passed the filters = rows received + these. */
PB_COUNTER(pb_drops);
PB_RUN_SWITCH;

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

SEC("tracepoint")
int pb_tp_events(void *ctx)
{
	struct pb_ids ids = PB_IDS_INIT;
	void *e;

	if (pb_run_stopped())
		return 0;
	if (!pb_filter_pass(ctx, &cfg.filter, &ids))
		return 0;
	/* cfg.event_size is a verifier-known constant (frozen rodata) */
	e = pb_reserve(&pb_events, cfg.event_size, &pb_drops);
	if (!e)
		return 0;
	/* only the common columns the declaration keeps cost anything */
	pb_fill_planned_header(e, &cfg.header, &cfg.filter, &ids);
	if (cfg.stacks.kstack) /* a constant: pruned unless the plan keeps it */
		*(__s32 *)(e + cfg.stacks.kstack_off) = bpf_get_stackid(ctx, &pb_stacks, 0);
	if (cfg.stacks.ustack)
		*(__s32 *)(e + cfg.stacks.ustack_off) = bpf_get_stackid(ctx, &pb_stacks, BPF_F_USER_STACK);
	for (__u32 i = 0; i < TP_MAX_FIELDS; i++) {
		if (i >= cfg.nfields)
			break;
		copy_field(ctx, e, &cfg.fields[i]);
	}
	pb_ringbuf_submit(&pb_events, e, cfg.wakeup_bytes);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
