// lat_pairs: start/end latency. pb_lat_start records bpf_ktime_get_ns() under
// the pair's identity; pb_lat_end looks it up, deletes it, and folds the
// latency into the keyed aggregation (or sends it to the ring buffer when it is
// at or above the threshold). Both are SEC("tracepoint"): the loader attaches
// them by name (raw_syscalls:sys_enter/sys_exit, syscalls:sys_enter_X/sys_exit_X,
// block:block_rq_issue/block_rq_complete, sched:sched_wakeup(_new)/sched_switch).
// pb_lat_uprobe/pb_lat_uretprobe pair a user function's entry and return by thread,
// pb_lat_kprobe/pb_lat_kretprobe and pb_lat_fentry/pb_lat_fexit a kernel function's.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lat_pairs.h"

const volatile struct lat_pairs_config cfg = {};

/* Never read: keep the value and event layouts in BTF for the generated descriptor. */
const volatile struct agg_value pb_value_layout = {};
const volatile struct lat_event pb_lat_event_layout = {};

/* Start times of pairs matched by object (block requests, run-queue wakeups)
 * or every syscall. LRU: a start whose end never comes ages out: a request lost
 * to a reset, a woken task that exits, and for every syscall, each thread's
 * exit/exit_group, which never returns (one per process that ends). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384); /* set by the loader */
	__type(key, struct lat_id);
	__type(value, __u64);
} pb_start SEC(".maps");

/* Start times of one named syscall's entry -> exit by thread (cfg.start_by_tid),
 * as a hand-written program keeps them: a plain hash keyed by the kernel's
 * thread id. A plain hash's update and delete skip the LRU lists' upkeep; it is
 * bounded by the threads inside that syscall at once (a thread that dies there
 * leaves its entry until the tid comes back), and a start it has no room for
 * counts in pb_lost. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* set by the loader */
	__type(key, __u32);
	__type(value, __u64);
} pb_start_tid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* the loader sets the real size when to_ring */
} pb_lat_events SEC(".maps");

/* Pairs at or above the threshold that found the ring full. */
PB_COUNTER(pb_drops);

/* The kernel's id of the current thread: what a start and its end share, in
 * any pid namespace. Reuses the filter's fetch when ids are the kernel's. */
static __always_inline __u32 current_tid(const volatile struct pb_filter *f, struct pb_ids *ids)
{
	if (!f->pidns_ino) {
		pb_need_pid(f, ids);
		return ids->tid;
	}
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void lat_id_of(void *ctx, const volatile struct lat_id_plan *p, const volatile struct pb_filter *f,
				      struct pb_ids *ids, struct lat_id *id)
{
	if (p->match == LAT_MATCH_TID) {
		id->a = current_tid(f, ids);
		id->b = 0;
		return;
	}
	id->a = pb_read_int(ctx, p->a_off, p->a_size, 0);
	id->b = pb_read_int(ctx, p->b_off, p->b_size, 0);
}

/* A start: remember when, under the pair's identity. */
static __always_inline void lat_start(void *ctx, const struct lat_id *known)
{
	struct lat_id id = {};
	struct pb_ids ids = PB_IDS_INIT;
	__u64 ts;
	long err;

	if (!pb_filter_pass(ctx, &cfg.start_filter, &ids))
		return;
	if (cfg.start_by_tid) {
		__u32 tid = current_tid(&cfg.start_filter, &ids);

		ts = bpf_ktime_get_ns();
		err = bpf_map_update_elem(&pb_start_tid, &tid, &ts, BPF_ANY);
	} else {
		if (known)
			id = *known;
		else
			lat_id_of(ctx, &cfg.start_id, &cfg.start_filter, &ids, &id);
		ts = bpf_ktime_get_ns();
		err = bpf_map_update_elem(&pb_start, &id, &ts, BPF_ANY);
	}
	if (err)
		pb_bump(&pb_lost); /* no room for the start: its pair is lost */
}

/* The time since the pair's start, which is forgotten; -1 when none is known. */
static __always_inline __s64 lat_take_start(const struct lat_id *id, __u32 tid, __u64 now)
{
	__u64 *start, delta;

	if (cfg.start_by_tid) {
		start = bpf_map_lookup_elem(&pb_start_tid, &tid);
		if (!start)
			return -1;
		delta = now - *start;
		bpf_map_delete_elem(&pb_start_tid, &tid); /* always: the start map only holds open pairs */
	} else {
		start = bpf_map_lookup_elem(&pb_start, id);
		if (!start)
			return -1;
		delta = now - *start;
		bpf_map_delete_elem(&pb_start, id);
	}
	return (__s64)delta;
}

/* An end: the latency since its start, folded (or sent to the ring when slow). */
static __always_inline void lat_end(void *ctx, const struct lat_id *known)
{
	struct lat_id id = {};
	struct pb_ids ids = PB_IDS_INIT;
	__u64 now = bpf_ktime_get_ns();
	__u8 key[AGG_KEY_MAX] = {};
	__u32 tid = 0;
	__s64 delta;

	if (cfg.requeue_state_size &&
	    pb_read_int(ctx, cfg.requeue_state_off, cfg.requeue_state_size, 0) == 0 /* TASK_RUNNING */) {
		lat_id_of(ctx, &cfg.requeue_id, &cfg.end_filter, &ids, &id);
		if (id.a || id.b) /* not the idle task (pid 0), which is never queued */
			if (bpf_map_update_elem(&pb_start, &id, &now, BPF_ANY))
				pb_bump(&pb_lost);
		id.a = id.b = 0;
	}
	if (cfg.start_by_tid)
		tid = current_tid(&cfg.end_filter, &ids);
	else if (known)
		id = *known;
	else
		lat_id_of(ctx, &cfg.end_id, &cfg.end_filter, &ids, &id);
	delta = lat_take_start(&id, tid, now);
	if (delta < 0)
		return;
	if (!pb_filter_pass(ctx, &cfg.end_filter, &ids))
		return;
	pb_bump(&pb_hits);
	agg_build_key(ctx, ctx, &cfg.agg, &cfg.end_filter, &ids, id.a, key);
	if (cfg.to_ring) {
		struct lat_event *e;

		if ((__u64)delta < cfg.threshold_ns)
			return;
		e = bpf_ringbuf_reserve(&pb_lat_events, sizeof(*e), 0);
		if (!e) {
			pb_bump(&pb_drops);
			return;
		}
		e->ts_ns = now;
		e->latency_ns = delta;
		__builtin_memcpy(e->key, key, AGG_KEY_MAX);
		bpf_ringbuf_submit(e, 0);
		return;
	}
	agg_record(&cfg.agg, key, delta);
}

SEC("tracepoint")
int pb_lat_start(void *ctx)
{
	lat_start(ctx, NULL);
	return 0;
}

SEC("tracepoint")
int pb_lat_end(void *ctx)
{
	lat_end(ctx, NULL);
	return 0;
}

/* Block requests through BTF tracepoints (raw tracepoints with typed arguments).
 * Besides being cheaper, a raw tracepoint program is only skipped when it would
 * re-enter itself: a classic tracepoint program is skipped whenever any BPF
 * program already runs on the CPU (bpf_prog_active), which an I/O completion
 * interrupt often finds. The identity is the classic tracepoint's: dev as
 * MKDEV(major, first_minor) = major << 20 | minor, and the start sector.
 * The loader keeps these (set_autoload) only when the kernel has tp_btf.
 *
 * Keys and filters read fields of a classic record at the offsets tracefs
 * gives; these programs have no record, so they hand lat_start/lat_end one
 * with the identity's fields where block_rq_issue/block_rq_complete's records
 * have them (dev at 8, sector at 16: the planner keeps this variant for a
 * "sector" key only when tracefs says so, and for no other field). */
struct rq_record {
	__u64 common;  /* common_type, common_flags, common_preempt_count, common_pid: not known here */
	__u32 dev;
	__u32 _pad;
	__u64 sector;
};

static __always_inline void rq_id(struct request *rq, struct lat_id *id, struct rq_record *rec)
{
	struct gendisk *disk = BPF_CORE_READ(rq, q, disk);

	id->a = disk ? ((__u64)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor) : 0;
	id->b = BPF_CORE_READ(rq, __sector);
	rec->common = 0;
	rec->dev = (__u32)id->a;
	rec->_pad = 0;
	rec->sector = id->b;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(pb_lat_rq_issue, struct request *rq)
{
	struct rq_record rec;
	struct lat_id id;

	rq_id(rq, &id, &rec);
	lat_start(&rec, &id);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(pb_lat_rq_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct rq_record rec;
	struct lat_id id;

	rq_id(rq, &id, &rec);
	lat_end(&rec, &id);
	return 0;
}

/* A user function's entry -> return, by thread (cfg.start_by_tid): the same
 * start and end as a named syscall's, on a uprobe and a uretprobe the loader
 * attaches to the binary and symbol at run time (only these two are kept, with
 * set_autoload). The filters test the task (pid, tid, comm, uid, cgroup,
 * sampling) and the keys are the task's, never fields of a record. A thread
 * that leaves the function without returning (longjmp, an exception, exit)
 * leaves its start until its tid enters again, as a dying syscall does. */
SEC("uprobe")
int pb_lat_uprobe(struct pt_regs *ctx)
{
	lat_start(ctx, NULL);
	return 0;
}

SEC("uretprobe")
int pb_lat_uretprobe(struct pt_regs *ctx)
{
	lat_end(ctx, NULL);
	return 0;
}

/* A kernel function's entry -> return, by thread, as for a user function:
 * kprobe/kretprobe where the kernel has kprobes, fentry/fexit (BPF
 * trampolines: no breakpoint, cheaper) where it has those. The loader keeps
 * one pair (set_autoload) and, for fentry/fexit, names the function before
 * load (bpf_program__set_attach_target). */
SEC("kprobe")
int pb_lat_kprobe(struct pt_regs *ctx)
{
	lat_start(ctx, NULL);
	return 0;
}

SEC("kretprobe")
int pb_lat_kretprobe(struct pt_regs *ctx)
{
	lat_end(ctx, NULL);
	return 0;
}

SEC("fentry")
int pb_lat_fentry(__u64 *ctx)
{
	lat_start(ctx, NULL);
	return 0;
}

SEC("fexit")
int pb_lat_fexit(__u64 *ctx)
{
	lat_end(ctx, NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
