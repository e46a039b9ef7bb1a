// Floor for the event stream: one 3-field record per getppid into a BPF ring
// buffer. Wakeups are batched (no wakeup unless wakeup_bytes are pending; the
// consumer polls with a timeout), the policy probebook's tp_events uses too,
// so the comparison is of the same design. Failed reservations are counted.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "floor.h"

const volatile __u64 wakeup_bytes = 0; /* 0: libbpf's adaptive wakeup per event */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int floor_stream(void *ctx)
{
	struct floor_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *d = bpf_map_lookup_elem(&drops, &zero);
		if (d)
			*d += 1;
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->cpu = bpf_get_smp_processor_id();
	__u64 flags = 0;
	if (wakeup_bytes)
		flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(e, flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
