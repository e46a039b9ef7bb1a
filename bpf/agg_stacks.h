/* The stack map of the aggregation templates that key by kstack/ustack
 * (agg_tp, agg_fn): stack ids for AGG_SRC_KSTACK/USTACK (agg_common.h);
 * 1 entry unless the plan keys by a stack (the loader sizes it). Include
 * before agg_common.h, which calls bpf_get_stackid() on AGG_STACK_MAP. */
#ifndef PB_AGG_STACKS_H
#define PB_AGG_STACKS_H

#define AGG_STACK_DEPTH 127 /* the kernel's PERF_MAX_STACK_DEPTH */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, AGG_STACK_DEPTH * sizeof(__u64));
} pb_stacks SEC(".maps");
#define AGG_STACK_MAP pb_stacks

#endif
