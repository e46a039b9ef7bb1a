// Floor for "count by key": syscalls:sys_enter_getppid -> per-CPU hash keyed
// by comm, the same key and map type bpftrace uses for @[comm] = count().
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct comm_key { char comm[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct comm_key);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int floor_count(void *ctx)
{
	struct comm_key key = {};
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		*v += 1; /* per-CPU value: no atomic needed */
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
