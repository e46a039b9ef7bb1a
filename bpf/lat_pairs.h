/* lat_pairs: latency between a start and an end event, matched by thread or
 * by object, folded into the keyed aggregation of agg_common.h, or (above a
 * threshold) sent to a ring buffer one event per pair.
 *
 * The one description of the template's layouts (contract 2); TypeScript reads
 * them from the compiled object's BTF (bpf/generated/lat_pairs.ts).
 */
#ifndef PB_LAT_PAIRS_H
#define PB_LAT_PAIRS_H

#include "filter.h"
#include "agg_common.h"

/* How a start and its end are matched. */
enum __attribute__((packed)) lat_match {
	LAT_MATCH_TID = 0,    /* the current thread (syscall entry -> exit) */
	LAT_MATCH_FIELDS = 1, /* up to two integer fields of the record (dev + sector, pid) */
};

/* Identity of a pair, read from one event (12 bytes). */
struct lat_id_plan {
	__u16 a_off;
	__u16 b_off;
	__u8 a_size; /* 0: unused */
	__u8 b_size;
	enum lat_match match;
	__u8 _pad[5];
};

struct lat_pairs_config {
	struct pb_filter start_filter; /* on the start event (syscalls: the calling thread) */
	struct pb_filter end_filter;   /* on the end event (run queue: the task switched in) */
	struct agg_plan agg;           /* key parts read from the end event / current task */
	struct lat_id_plan start_id;
	struct lat_id_plan end_id;
	/* Run queue: a task switched out while still runnable (prev_state == 0) is
	 * queued again: restart its pair from the end event (sched_switch). */
	struct lat_id_plan requeue_id;
	__u16 requeue_state_off;
	__u8 requeue_state_size; /* 0: no requeue */
	__u8 to_ring;            /* 1: latencies >= threshold_ns go to pb_lat_events, nothing is aggregated */
	__u8 start_by_tid;       /* 1: starts in pb_start_tid (plain hash by thread; start_id/end_id unused),
	                          * 0: in pb_start (LRU by struct lat_id) */
	__u8 _pad[3];
	__u64 threshold_ns;
};

/* The match key of the start map. */
struct lat_id {
	__u64 a;
	__u64 b;
};

/* One ring-buffer record per pair at or above the threshold; the key follows. */
struct lat_event {
	__u64 ts_ns;      /* end time, CLOCK_MONOTONIC */
	__u64 latency_ns;
	__u8 key[AGG_KEY_MAX];
};

#endif
