// agg_fn: count, sum, min, max and histograms of a function probe's hits,
// keyed by its arguments or return value, the current task or its stacks, in
// per-CPU hash maps (agg_common.h, shared with agg_tp and lat_pairs).
//
// One program per hook kind, none with a fixed target: the loader autoloads
// the one a declaration needs and attaches it (binary, symbol, pid, USDT
// probe or kernel function given then). Whether the kernel can run the
// kernel-function variants is asked when loading (runtime/host/features.ts):
// the host's kernel has no kprobes and refuses fentry.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "agg_stacks.h"

#include "agg_fn.h"

const volatile struct agg_fn_config cfg = {};

/* Never read: keeps struct agg_value in the object's BTF (the reader's value layout). */
const volatile struct agg_value pb_value_layout = {};

/* One hit: `rec` holds the values the plan reads (see struct agg_fn_config). */
#define agg_fn_hit(ctx, rec) agg_hit(ctx, rec, &cfg.filter, &cfg.agg)

SEC("uprobe")
int pb_agg_uprobe(struct pt_regs *ctx)
{
	return agg_fn_hit(ctx, ctx);
}

SEC("uretprobe")
int pb_agg_uretprobe(struct pt_regs *ctx)
{
	return agg_fn_hit(ctx, ctx);
}

/* A USDT probe's arguments live wherever its note says (registers, stack,
 * constants): bpf_usdt_arg() fetches them into an array the plan reads. */
SEC("usdt")
int pb_agg_usdt(struct pt_regs *ctx)
{
	__u64 args[AGG_FN_USDT_ARGS] = {};

	for (__u32 i = 0; i < AGG_FN_USDT_ARGS; i++) {
		long a = 0;

		if (i >= cfg.usdt_nargs)
			break;
		if (bpf_usdt_arg(ctx, i, &a) == 0)
			args[i] = a;
	}
	return agg_fn_hit(ctx, args);
}

SEC("kprobe")
int pb_agg_kprobe(struct pt_regs *ctx)
{
	return agg_fn_hit(ctx, ctx);
}

SEC("kretprobe")
int pb_agg_kretprobe(struct pt_regs *ctx)
{
	return agg_fn_hit(ctx, ctx);
}

/* The target function is set before load (bpf_program__set_attach_target). */
SEC("fentry")
int pb_agg_fentry(__u64 *ctx)
{
	return agg_fn_hit(ctx, ctx);
}

char LICENSE[] SEC("license") = "GPL";
