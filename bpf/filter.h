/* In-kernel filters shared by the templates (contract 4: filter in the kernel).
 *
 * A `struct pb_filter` sits in a template's `cfg` rodata. Because .rodata is
 * frozen, every test below on an unused filter is a constant the verifier
 * prunes: a template pays only for the clauses a declaration uses. Clauses are
 * ANDed: process (tgid), thread, uid, cgroup, comm, up to PB_MAX_PREDS field
 * predicates on the raw tracepoint record, then 1-in-N sampling of what passed.
 *
 * Include it once per object, after vmlinux.h and bpf_helpers.h: it defines
 * the `pb_sample_seq` map. Used by agg_tp, lat_pairs, tp_events and
 * uprobe_events (whose predicates read argument registers in struct pt_regs).
 */
#ifndef PB_FILTER_H
#define PB_FILTER_H

#include "common.bpf.h"

#define PB_MAX_PREDS 4

/* Comparison of a field predicate; packed so its names reach BTF (TypeScript). */
enum __attribute__((packed)) pb_pred_op {
	PB_PRED_NONE = 0,
	PB_PRED_EQ = 1,
	PB_PRED_NE = 2,
	PB_PRED_LT = 3,
	PB_PRED_LE = 4,
	PB_PRED_GT = 5,
	PB_PRED_GE = 6,
	PB_PRED_MASK = 7, /* (field & value) != 0 */
};

/* `field OP value` on an integer of `size` bytes at `src_off` in the raw record (16 bytes). */
struct pb_pred {
	__u64 value;     /* compared as signed when is_signed (two's complement bits) */
	__u16 src_off;
	__u8 size;       /* 1, 2, 4 or 8 */
	__u8 is_signed;
	enum pb_pred_op op;
	__u8 _pad[3];
};

struct pb_filter {
	__u32 tgid;         /* 0 = any process */
	__u32 tid;          /* 0 = any thread */
	__u32 uid;          /* used when has_uid */
	__u8 has_uid;
	__u8 has_comm;
	__u8 npreds;        /* used entries of preds[] */
	__u8 unfiltered;    /* 1: no clause is set, every event passes and nothing is read
	                     * (one test instead of one per clause); 0: test each clause */
	__u64 cgroup_id;    /* 0 = any cgroup (cgroup v2 id) */
	__u32 sample_every; /* 0 or 1 = keep all; N = keep every Nth passing event per CPU */
	__u32 _pad2;
	__u64 pidns_dev;    /* pid namespace of the reader (st_dev, st_ino of /proc/self/ns/pid): */
	__u64 pidns_ino;    /* ids and tgid/tid above are in it. 0 = the initial namespace */
	char comm[PB_COMM_LEN];
	struct pb_pred preds[PB_MAX_PREDS];
};

/* Sampling sequence, per CPU: deterministic 1-in-N (each CPU keeps every Nth). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pb_sample_seq SEC(".maps");

/* Who is running, fetched lazily: each helper is called at most once per event
 * and only when something uses its result. `have` starts at 0 (PB_IDS_INIT)
 * and says what is fetched; on every path through a program it is a constant
 * the verifier knows, so an instance that never asks for ids (no pid/uid
 * filter, no such key or column) has no pid_tgid/uid_gid call at all. */
static __always_inline void pb_need_pid(const volatile struct pb_filter *f, struct pb_ids *ids)
{
	if (ids->have & PB_HAVE_PID)
		return;
	pb_ns_ids(f->pidns_dev, f->pidns_ino, &ids->tgid, &ids->tid);
	ids->have |= PB_HAVE_PID;
}

static __always_inline void pb_need_uid(struct pb_ids *ids)
{
	__u64 uid_gid;

	if (ids->have & PB_HAVE_UID)
		return;
	uid_gid = bpf_get_current_uid_gid();
	ids->uid = (__u32)uid_gid;
	ids->gid = uid_gid >> 32;
	ids->have |= PB_HAVE_UID;
}

/* Writes the header members `p` places (PB_HDR_SKIP: not recorded) into the
 * record `e`; ids come from `ids` (fetched here when the filter did not). */
static __always_inline void pb_fill_planned_header(void *e, const volatile struct pb_header_plan *p,
						   const volatile struct pb_filter *f, struct pb_ids *ids)
{
	/* each offset read once (rodata is volatile): a known constant for the verifier */
	__u16 ts = p->ts_ns, cg = p->cgroup_id, cpu = p->cpu, pid = p->pid, tid = p->tid;
	__u16 uid = p->uid, gid = p->gid, comm = p->comm;

	if (ts != PB_HDR_SKIP)
		*(__u64 *)(e + ts) = bpf_ktime_get_ns();
	if (cg != PB_HDR_SKIP)
		*(__u64 *)(e + cg) = bpf_get_current_cgroup_id();
	if (cpu != PB_HDR_SKIP)
		*(__u32 *)(e + cpu) = bpf_get_smp_processor_id();
	if (pid != PB_HDR_SKIP || tid != PB_HDR_SKIP)
		pb_need_pid(f, ids);
	if (pid != PB_HDR_SKIP)
		*(__u32 *)(e + pid) = ids->tgid;
	if (tid != PB_HDR_SKIP)
		*(__u32 *)(e + tid) = ids->tid;
	if (uid != PB_HDR_SKIP || gid != PB_HDR_SKIP)
		pb_need_uid(ids);
	if (uid != PB_HDR_SKIP)
		*(__u32 *)(e + uid) = ids->uid;
	if (gid != PB_HDR_SKIP)
		*(__u32 *)(e + gid) = ids->gid;
	if (comm != PB_HDR_SKIP)
		bpf_get_current_comm(e + comm, PB_COMM_LEN);
}

/* An integer field of the raw record, widened to 64 bits (sign-extended when signed). */
static __always_inline __u64 pb_read_int(void *ctx, __u16 off, __u8 size, __u8 is_signed)
{
	__u64 v = 0;

	if (size == 0 || size > 8)
		return 0;
	bpf_probe_read_kernel(&v, size, ctx + off); /* little-endian: low bytes first */
	if (is_signed && size < 8) {
		int sh = 64 - size * 8;
		v = (__u64)(((__s64)(v << sh)) >> sh);
	}
	return v;
}

static __always_inline bool pb_pred_true(void *ctx, const volatile struct pb_pred *p)
{
	__u64 v = pb_read_int(ctx, p->src_off, p->size, p->is_signed);
	__u64 c = p->value;

	switch (p->op) {
	case PB_PRED_EQ: return v == c;
	case PB_PRED_NE: return v != c;
	case PB_PRED_MASK: return (v & c) != 0;
	default: break;
	}
	if (p->is_signed) {
		__s64 sv = (__s64)v, sc = (__s64)c;
		switch (p->op) {
		case PB_PRED_LT: return sv < sc;
		case PB_PRED_LE: return sv <= sc;
		case PB_PRED_GT: return sv > sc;
		case PB_PRED_GE: return sv >= sc;
		default: return false;
		}
	}
	switch (p->op) {
	case PB_PRED_LT: return v < c;
	case PB_PRED_LE: return v <= c;
	case PB_PRED_GT: return v > c;
	case PB_PRED_GE: return v >= c;
	default: return false;
	}
}

/* Every clause of `f` holds for this event (sampling included). Only the
 * clauses in use read anything: the ids they need are fetched into `ids`
 * (PB_IDS_INIT), where later users (keys, header columns) find them. */
static __always_inline bool pb_filter_pass(void *ctx, const volatile struct pb_filter *f, struct pb_ids *ids)
{
	if (f->unfiltered)
		return true;
	if (f->tgid || f->tid) {
		pb_need_pid(f, ids);
		if (f->tgid && ids->tgid != f->tgid)
			return false;
		if (f->tid && ids->tid != f->tid)
			return false;
	}
	if (f->has_uid) {
		pb_need_uid(ids);
		if (ids->uid != f->uid)
			return false;
	}
	if (f->cgroup_id && bpf_get_current_cgroup_id() != f->cgroup_id)
		return false;
	if (f->has_comm) {
		char comm[PB_COMM_LEN] = {};

		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < PB_COMM_LEN; i++) {
			if (comm[i] != f->comm[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	for (__u32 i = 0; i < PB_MAX_PREDS; i++) {
		if (i >= f->npreds)
			break;
		if (!pb_pred_true(ctx, &f->preds[i]))
			return false;
	}
	if (f->sample_every > 1) {
		__u32 zero = 0;
		__u64 *seq = bpf_map_lookup_elem(&pb_sample_seq, &zero);

		if (!seq)
			return false;
		if ((*seq)++ % f->sample_every)
			return false;
	}
	return true;
}

#endif
