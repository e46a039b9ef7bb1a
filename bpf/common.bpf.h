/* What every template shares: who is running (in the reader's pid namespace),
 * the fixed header of event records, per-CPU counters and the ring-buffer
 * wakeup policy. One copy here instead of one per template.
 *
 * Include after vmlinux.h and bpf_helpers.h (filter.h includes it).
 */
#ifndef PB_COMMON_BPF_H
#define PB_COMMON_BPF_H

#define PB_COMM_LEN 16

/* Fixed header at the start of every event record (tp_events, uprobe_events);
 * the planned payload follows it. */
struct pb_event_header {
	__u64 ts_ns;      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;  /* bpf_get_current_cgroup_id() (cgroup v2) */
	__u32 cpu;
	__u32 pid;        /* tgid, what user space calls the process id (0: not in the reader's pid namespace) */
	__u32 tid;        /* kernel pid = thread id */
	__u32 uid;
	__u32 gid;
	char comm[PB_COMM_LEN];
	__u32 _pad;
};

/* Where each header member sits in a record (bytes from its start), or
 * PB_HDR_SKIP: not recorded. The planner packs the columns a declaration keeps
 * in the order of struct pb_event_header (all of them: exactly that struct's
 * layout), so a lean stream (time, pid, cpu) writes a 16-byte header and calls
 * no helper for the columns it dropped. Each test is on frozen rodata: the
 * verifier removes the code of every skipped member. */
#define PB_HDR_SKIP 0xffff
struct pb_header_plan {
	__u16 ts_ns;
	__u16 cgroup_id;
	__u16 cpu;
	__u16 pid;
	__u16 tid;
	__u16 uid;
	__u16 gid;
	__u16 comm;
};

/* Who is running, as the reader's pid namespace names it; `have` says which
 * ids are fetched (filter.h: pb_need_pid(), pb_need_uid()). Start from PB_IDS_INIT. */
#define PB_HAVE_PID 1 /* tgid, tid */
#define PB_HAVE_UID 2 /* uid, gid */
struct pb_ids {
	__u32 tgid;
	__u32 tid;
	__u32 uid;
	__u32 gid;
	__u32 have;
};
#define PB_IDS_INIT { .have = 0 }

/* A per-CPU counter (drops, events seen, updates lost): user space sums the CPUs. */
#define PB_COUNTER(name)                         \
	struct {                                 \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \
		__uint(max_entries, 1);          \
		__type(key, __u32);              \
		__type(value, __u64);            \
	} name SEC(".maps")

static __always_inline void pb_bump(void *counter)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(counter, &zero);

	if (v)
		(*v)++;
}

/* Process and thread id as the reader sees them. In a container (its own pid
 * namespace, pidns_ino != 0) bpf_get_current_pid_tgid() would give the host's
 * ids, which the reader cannot match against its own; tasks outside its
 * namespace get 0. `ino` is a rodata constant: the branch not taken is pruned. */
static __always_inline void pb_ns_ids(__u64 dev, __u64 ino, __u32 *tgid, __u32 *tid)
{
	if (ino) {
		struct bpf_pidns_info ns = {};

		if (bpf_get_ns_current_pid_tgid(dev, ino, &ns, sizeof(ns)))
			ns.tgid = ns.pid = 0;
		*tgid = ns.tgid;
		*tid = ns.pid;
	} else {
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		*tgid = pid_tgid >> 32;
		*tid = (__u32)pid_tgid;
	}
}

/* Fills every member of the fixed header (templates without a header plan). */
static __always_inline void pb_fill_header(struct pb_event_header *h, const struct pb_ids *ids)
{
	h->ts_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->cpu = bpf_get_smp_processor_id();
	h->pid = ids->tgid;
	h->tid = ids->tid;
	h->uid = ids->uid;
	h->gid = ids->gid;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->_pad = 0;
}

/* The run's switch, in .bss so user space writes it (through the map's mmap)
 * while the programs run: nonzero = the run has ended, every program returns
 * before it counts or reserves anything. A finished run sets it, waits until
 * every program that had passed the test has returned (native quiesce: each
 * CPU passes a context switch; these programs run with preemption off), then
 * drains the ring and reads the drop counter: every event is a row or a drop,
 * and the reply does not wait on the detach's RCU grace periods. Ring
 * templates only (PB_RUN_SWITCH; pb_run_stopped() first in each program). */
#define PB_RUN_SWITCH volatile __u32 pb_stopped SEC(".bss")
#define pb_run_stopped() (pb_stopped != 0)

/* Reserves `size` bytes (a verifier-known constant), or counts the event in
 * `drops` when the ring is full (then NULL). Nothing else loses an event after
 * the switch test, so events seen = rows + drops by construction: no counter
 * of seen events is paid for. */
static __always_inline void *pb_reserve(void *ring, __u32 size, void *drops)
{
	void *e = bpf_ringbuf_reserve(ring, size, 0);

	if (!e)
		pb_bump(drops);
	return e;
}

/* Waking the consumer per record costs ~1.2 us (anchors PART 1 (e) vs (e')):
 * with wakeup_bytes set, wake it only when a batch is pending; it polls with a
 * timeout for the tail. 0 = libbpf's adaptive wakeup. */
static __always_inline void pb_ringbuf_submit(void *ring, void *record, __u64 wakeup_bytes)
{
	__u64 flags = 0;

	if (wakeup_bytes)
		flags = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(record, flags);
}

#endif
