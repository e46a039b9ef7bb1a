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
	__u8 key[AGG_KEY_MAX] = {};
	struct pb_ids ids = PB_IDS_INIT;
	__s64 v = 0;

	if (!pb_filter_pass(ctx, &cfg.filter, &ids))
		return 0;
	pb_bump(&pb_hits);
	if (cfg.agg.value.size)
		v = (__s64)pb_read_int(ctx, cfg.agg.value.src_off, cfg.agg.value.size, cfg.agg.value.is_signed);
	agg_build_key(ctx, ctx, &cfg.agg, &cfg.filter, &ids, 0, key);
	agg_record(&cfg.agg, key, v);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
