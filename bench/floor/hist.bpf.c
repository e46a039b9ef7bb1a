// Floor for the log2 latency histogram: enter stores the start time per
// thread, exit takes the delta and bumps a per-CPU log2 slot.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "floor.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0, shift;
	shift = (v > 0xffffffff) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int floor_hist_enter(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_getppid")
int floor_hist_exit(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *t0 = bpf_map_lookup_elem(&start, &tid);
	if (!t0)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *t0;
	bpf_map_delete_elem(&start, &tid);
	__u32 slot = log2_slot(delta);
	if (slot >= HIST_SLOTS)
		slot = HIST_SLOTS - 1;
	__u64 *n = bpf_map_lookup_elem(&hist, &slot);
	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
