/* Keyed in-kernel aggregation, shared by the aggregation templates (agg_tp,
 * agg_fn, lat_pairs): the key plan, the value layout, the maps and the update.
 *
 * Key: up to AGG_MAX_KEYS parts copied into AGG_KEY_MAX bytes (the loader sets
 * the map's key_size to the planned size). Value: `struct agg_value` followed by
 * `nslots` u64 histogram slots (the loader sets value_size = 32 + 8 * nslots).
 * Maps are per-CPU hashes, bounded; an update refused by a full map is counted
 * per CPU in pb_lost.
 *
 * Two generations (pb_agg0, pb_agg1) make periodic snapshots exact: user space
 * flips pb_ctl[AGG_CTL_GEN], waits until no program is still updating the old
 * generation (pb_ctl[AGG_CTL_BUSY0 + gen], an atomic in-flight count), then
 * reads and deletes it. With cfg.snapshots = 0 all of that is pruned away and
 * only pb_agg0 is used.
 *
 * Include after vmlinux.h, bpf_helpers.h and filter.h, once per object.
 */
#ifndef PB_AGG_COMMON_H
#define PB_AGG_COMMON_H

#define AGG_MAX_KEYS 6
#define AGG_KEY_MAX 64     /* bytes of the largest key */
#define AGG_MAX_SLOTS 2048 /* histogram slots at most (the planner's limit: value <= 16 KiB + header) */

/* Where one key part comes from. */
enum __attribute__((packed)) agg_src {
	AGG_SRC_NONE = 0,
	AGG_SRC_FIELD = 1,  /* `size` bytes (1..16) at src_off of the raw record, copied as they are */
	AGG_SRC_PID = 2,    /* u32 tgid */
	AGG_SRC_TID = 3,    /* u32 thread id */
	AGG_SRC_UID = 4,    /* u32 */
	AGG_SRC_GID = 5,    /* u32 */
	AGG_SRC_CPU = 6,    /* u32 */
	AGG_SRC_CGROUP = 7, /* u64 cgroup v2 id */
	AGG_SRC_COMM = 8,   /* char[16] of the current task */
	AGG_SRC_PAIR_A = 9, /* lat_pairs: `size` low bytes of the pair identity's first part (a block request's dev) */
	AGG_SRC_KSTACK = 10, /* s32 kernel stack id in AGG_STACK_MAP (templates that define it: agg_tp) */
	AGG_SRC_USTACK = 11, /* s32 user stack id in AGG_STACK_MAP */
};

/* What is histogrammed (or summed, min'd, max'd). */
enum __attribute__((packed)) agg_hist {
	AGG_HIST_NONE = 0,
	AGG_HIST_LOG2 = 1,   /* slot 0: v <= 0; then 2^sub_bits slots per power of two */
	AGG_HIST_LINEAR = 2, /* slot 0: v < lin_min; slot 1 + (v - lin_min) / lin_step; last: the rest */
};

/* One key part (8 bytes). */
struct agg_key_part {
	__u16 src_off; /* AGG_SRC_FIELD: offset in the raw record */
	__u8 size;     /* bytes written at dst_off */
	__u8 dst_off;  /* offset in the key */
	enum agg_src src;
	__u8 _pad[3];
};

/* The value the aggregation folds: a record field, or (lat_pairs) the latency. */
struct agg_value_src {
	__u16 src_off;
	__u8 size;       /* 0: no field (count only, or the latency in lat_pairs) */
	__u8 is_signed;
	__u32 _pad;
};

struct agg_plan {
	__u32 key_size;   /* bytes of the key (= the maps' key_size) */
	__u32 nkeys;      /* used entries of keys[] */
	__u32 nslots;     /* histogram slots (0: no histogram) */
	__u8 snapshots;   /* two generations, flipped by user space */
	enum agg_hist hist;
	__u8 sub_bits;    /* log2: 2^sub_bits slots per power of two (0..3) */
	__u8 _pad;
	__s64 lin_min;
	__u64 lin_step;
	struct agg_value_src value;
	struct agg_key_part keys[AGG_MAX_KEYS];
};

/* The fixed part of every value; the histogram slots follow it. Per CPU:
 * user space merges CPUs (count and sum add, min and max combine, slots add)
 * and skips a CPU whose count is 0 (its min/max were never set). */
struct agg_value {
	__u64 count;
	__s64 sum;
	__s64 min;
	__s64 max;
	__u64 slots[];
};

enum agg_ctl_index {
	AGG_CTL_GEN = 0,   /* the generation programs update: 0 or 1 */
	AGG_CTL_BUSY0 = 1, /* programs updating generation 0 right now */
	AGG_CTL_BUSY1 = 2, /* ... generation 1 */
	AGG_CTL_N = 4,
};

#define AGG_MAP(name)                                             \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_PERCPU_HASH);           \
		__uint(max_entries, 10240); /* set by the loader */ \
		__uint(key_size, AGG_KEY_MAX);                    \
		__uint(value_size, sizeof(struct agg_value));     \
	} name SEC(".maps")

AGG_MAP(pb_agg0);
AGG_MAP(pb_agg1);

/* A zeroed value of the maps' value size, to insert new keys from (a histogram
 * value is too large for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, sizeof(struct agg_value)); /* set by the loader */
} pb_zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AGG_CTL_N);
	__type(key, __u32);
	__type(value, __u64);
} pb_ctl SEC(".maps");

/* Updates lost because the map was full (E2BIG): shown to the user. */
PB_COUNTER(pb_lost);

/* Events aggregated (agg_tp: hits that passed the filter; lat_pairs: pairs
 * measured), whatever the value: sum/min/max have no count column, and a
 * histogram's counts leave out nothing but lost updates. */
PB_COUNTER(pb_hits);

/* floor(log2(v)) for v > 0, without loops (as in libbpf-tools' bits.bpf.h). */
static __always_inline __u32 agg_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u64 agg_slot(const volatile struct agg_plan *p, __s64 v)
{
	if (p->hist == AGG_HIST_LOG2) {
		__u64 u = (__u64)v;
		__u32 k = p->sub_bits, e, sub;

		if (v <= 0)
			return 0;
		e = agg_log2(u);
		/* the k bits below the leading one; for e < k the value is shifted up (some slots stay empty) */
		sub = e >= k ? (u >> (e - k)) : (u << (k - e));
		sub &= (1u << k) - 1;
		return 1 + (e << k) + sub;
	}
	if (v < p->lin_min)
		return 0;
	return 1 + (__u64)(v - p->lin_min) / p->lin_step; /* capped by the caller */
}

static __always_inline void agg_fold(const volatile struct agg_plan *p, struct agg_value *a, __s64 v)
{
	if (a->count == 0 || v < a->min)
		a->min = v;
	if (a->count == 0 || v > a->max)
		a->max = v;
	a->count++;
	a->sum += v;
	if (p->nslots) { /* a constant: pruned for plain counts and sums */
		__u64 s = agg_slot(p, v);

		/* The bound check and the access on the same 64-bit register, so the
		 * verifier sees s < nslots (value_size = 32 + 8 * nslots). */
		if (s < p->nslots)
			a->slots[s]++;
		else
			a->slots[p->nslots - 1]++;
	}
}

/* Folds `v` into the entry of `key` in one generation. A known key costs one
 * lookup, as a hand-written program's. A new key without histogram is inserted
 * already folded (one update); a histogram value (up to 16 KiB, more than the
 * BPF stack) is inserted from pb_zero and looked up again. An insert refused
 * by a full map counts in pb_lost. */
static __always_inline void agg_update(void *map, const void *key, const volatile struct agg_plan *p, __s64 v)
{
	struct agg_value *a = bpf_map_lookup_elem(map, key);
	__u32 zero = 0;
	long err;

	if (a) {
		agg_fold(p, a, v);
		return;
	}
	if (!p->nslots) { /* a constant: the verifier keeps one of the two inserts */
		struct agg_value first = { .count = 1, .sum = v, .min = v, .max = v };

		err = bpf_map_update_elem(map, key, &first, BPF_NOEXIST);
		if (!err)
			return;
	} else {
		void *init = bpf_map_lookup_elem(&pb_zero, &zero);

		if (!init)
			return;
		err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	}
	if (err && err != -17 /* EEXIST: inserted meanwhile */) {
		pb_bump(&pb_lost); /* E2BIG: the map is full */
		return;
	}
	a = bpf_map_lookup_elem(map, key);
	if (a)
		agg_fold(p, a, v);
}

/* Builds the key of this event: fields of `rec` (the raw tracepoint record; for
 * function probes the registers or the arguments, see agg_fn.bpf.c), or the
 * current task; stacks are taken from the program's `ctx`. Task ids come from
 * `ids`, fetched on first use (filter.h): only the keys planned call a helper. */
static __always_inline void agg_build_key(void *ctx, void *rec, const volatile struct agg_plan *p,
					  const volatile struct pb_filter *f, struct pb_ids *ids, __u64 pair_a, __u8 *key)
{
	for (__u32 i = 0; i < AGG_MAX_KEYS; i++) {
		const volatile struct agg_key_part *k = &p->keys[i];
		__u32 dst = k->dst_off;
		__u64 v = 0;

		if (i >= p->nkeys)
			break;
		if (dst > AGG_KEY_MAX - 16)
			break; /* keeps every write inside the key; the planner never plans this */
		switch (k->src) {
		case AGG_SRC_FIELD:
			if (k->size > 0 && k->size <= 16)
				bpf_probe_read_kernel(key + dst, k->size, rec + k->src_off);
			continue;
		case AGG_SRC_COMM:
			bpf_get_current_comm(key + dst, 16);
			continue;
		case AGG_SRC_PID: pb_need_pid(f, ids); v = ids->tgid; break;
		case AGG_SRC_TID: pb_need_pid(f, ids); v = ids->tid; break;
		case AGG_SRC_UID: pb_need_uid(ids); v = ids->uid; break;
		case AGG_SRC_GID: pb_need_uid(ids); v = ids->gid; break;
		case AGG_SRC_CPU: v = bpf_get_smp_processor_id(); break;
		case AGG_SRC_CGROUP:
			v = bpf_get_current_cgroup_id();
			__builtin_memcpy(key + dst, &v, 8);
			continue;
#ifdef AGG_STACK_MAP
		case AGG_SRC_KSTACK: v = (__u32)bpf_get_stackid(ctx, &AGG_STACK_MAP, 0); break;
		case AGG_SRC_USTACK: v = (__u32)bpf_get_stackid(ctx, &AGG_STACK_MAP, BPF_F_USER_STACK); break;
#endif
		case AGG_SRC_PAIR_A:
			if (k->size == 8)
				__builtin_memcpy(key + dst, &pair_a, 8);
			else
				__builtin_memcpy(key + dst, &pair_a, 4);
			continue;
		default:
			continue;
		}
		__builtin_memcpy(key + dst, &v, 4);
	}
}

/* Folds `v` into the entry of `key` in the generation user space is not reading. */
static __always_inline void agg_record(const volatile struct agg_plan *p, const __u8 *key, __s64 v)
{
	if (!p->snapshots) {
		agg_update(&pb_agg0, key, p, v);
		return;
	}
	__u32 gen_key = AGG_CTL_GEN, busy_key;
	__u64 *gen = bpf_map_lookup_elem(&pb_ctl, &gen_key), *busy;
	__u64 g;

	if (!gen)
		return;
	g = *gen & 1;
	busy_key = AGG_CTL_BUSY0 + g;
	busy = bpf_map_lookup_elem(&pb_ctl, &busy_key);
	if (!busy)
		return;
	__sync_fetch_and_add(busy, 1);
	/* Flipped between reading gen and announcing ourselves? Then user space may
	 * have seen busy == 0 already: move to the new generation. (Two flips within
	 * one program run would need an interval shorter than the program.) */
	if ((*gen & 1) != g) {
		__sync_fetch_and_add(busy, -1);
		g ^= 1;
		busy_key = AGG_CTL_BUSY0 + g;
		busy = bpf_map_lookup_elem(&pb_ctl, &busy_key);
		if (!busy)
			return;
		__sync_fetch_and_add(busy, 1);
	}
	if (g)
		agg_update(&pb_agg1, key, p, v);
	else
		agg_update(&pb_agg0, key, p, v);
	__sync_fetch_and_add(busy, -1);
}

/* One hit of a keyed aggregation (agg_tp, agg_fn): the filter, the hit counter,
 * the value, the key and the fold. `rec` holds what the plan reads (a
 * tracepoint's record; a function probe's registers or arguments); stacks are
 * taken from the program's `ctx`. */
static __always_inline int agg_hit(void *ctx, void *rec, const volatile struct pb_filter *f, const volatile struct agg_plan *p)
{
	__u8 key[AGG_KEY_MAX] = {};
	struct pb_ids ids = PB_IDS_INIT;
	__s64 v = 0;

	if (!pb_filter_pass(rec, f, &ids))
		return 0;
	pb_bump(&pb_hits);
	if (p->value.size)
		v = (__s64)pb_read_int(rec, p->value.src_off, p->value.size, p->value.is_signed);
	agg_build_key(ctx, rec, p, f, &ids, 0, key);
	agg_record(p, key, v);
	return 0;
}

#endif
