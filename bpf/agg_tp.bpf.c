// agg_tp: count, sum, min, max and histograms of any tracepoint, keyed by
// fields of the record and/or the current task, in per-CPU hash maps.
//
// SEC("tracepoint") has no fixed target: the loader attaches the program to
// any classic tracepoint by name. The filter, the key plan and the value come
// from `cfg` (agg_tp.h), written into .rodata before load.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "agg_stacks.h"

#include "agg_tp.h"

const volatile struct agg_tp_config cfg = {};

/* Never read: keeps struct agg_value in the object's BTF, so the TypeScript
 * descriptor (and the native reader's value layout) come from this object. */
const volatile struct agg_value pb_value_layout = {};

SEC("tracepoint")
int pb_agg_tp(void *ctx)
{
	return agg_hit(ctx, ctx, &cfg.filter, &cfg.agg);
}

char LICENSE[] SEC("license") = "GPL";
