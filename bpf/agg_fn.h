/* agg_fn: a keyed in-kernel aggregation over a function probe (uprobe,
 * uretprobe, USDT, kprobe, kretprobe, fentry): agg_tp's filter and plan, with
 * the probe's values where agg_tp has the tracepoint's record.
 *
 * The one description of the template's configuration (contract 2): the BPF
 * side includes it, the TypeScript side reads it from the compiled object's
 * BTF (bpf/generated/agg_fn.ts). */
#ifndef PB_AGG_FN_H
#define PB_AGG_FN_H

#include "filter.h"
#include "agg_common.h"

/* USDT arguments copied for the plan (libbpf's usdt.bpf.h reads up to 12; we keep 6). */
#define AGG_FN_USDT_ARGS 6

struct agg_fn_config {
	/* Predicates, the folded value and field keys read `src_off` of the probe's
	 * values: struct pt_regs (uprobe, uretprobe, kprobe, kretprobe: an argument
	 * or the return value is the register's offset), fentry's array of
	 * arguments (8 * i), or the USDT arguments copied into an array (8 * i). */
	struct pb_filter filter;
	struct agg_plan agg;
	__u32 usdt_nargs; /* pb_agg_usdt: arguments 0..usdt_nargs-1 are copied */
	__u32 _pad;
};

#endif
