// profile: counts perf-event samples (PERF_COUNT_SW_CPU_CLOCK at N Hz on every
// CPU, opened by the loader) by process, kernel stack and user stack.
//
// Stacks go to a BPF_MAP_TYPE_STACK_TRACE map (deduplicated by the kernel);
// counts to a hash keyed by struct profile_key. Both are read after the run
// and symbolised in user space (runtime/symbolize.ts).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "common.bpf.h"
#include "profile.h"

const volatile struct profile_config cfg = {};

/* Never read: keeps struct profile_key in BTF for the generated descriptor. */
const volatile struct profile_key pb_profile_key_layout = {};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384); /* the loader sizes it */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PROFILE_STACK_DEPTH * sizeof(__u64));
} pb_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct profile_key);
	__type(value, __u64);
} pb_counts SEC(".maps");

/* Samples lost because pb_counts was full: shown to the user. */
PB_COUNTER(pb_drops);

/* Samples that passed the filters (= counted + dropped). */
PB_COUNTER(pb_seen);

SEC("perf_event")
int pb_profile(struct bpf_perf_event_data *ctx)
{
	struct profile_key key = {};
	__u64 one = 1, *count;
	__u32 tgid, tid;

	pb_ns_ids(cfg.pidns_dev, cfg.pidns_ino, &tgid, &tid);
	if (cfg.target_tgid && tgid != cfg.target_tgid)
		return 0;
	/* The idle task has tgid 0 in every namespace; outside-namespace tasks too. */
	if (!cfg.include_idle && tgid == 0)
		return 0;
	pb_bump(&pb_seen);

	key.pid = tgid;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.kern_stack_id = cfg.kernel_stacks ? bpf_get_stackid(ctx, &pb_stacks, 0) : -1;
	key.user_stack_id = cfg.user_stacks ? bpf_get_stackid(ctx, &pb_stacks, BPF_F_USER_STACK) : -1;

	count = bpf_map_lookup_elem(&pb_counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else if (bpf_map_update_elem(&pb_counts, &key, &one, BPF_NOEXIST)) {
		/* full, or another CPU inserted the same key first: retry the lookup once */
		count = bpf_map_lookup_elem(&pb_counts, &key);
		if (count)
			__sync_fetch_and_add(count, 1);
		else
			pb_bump(&pb_drops);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
