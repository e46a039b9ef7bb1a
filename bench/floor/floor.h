/* Shared by the floor BPF programs and their loader: the one event layout of
 * the stream floor (3 fields) and the histogram size. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#define HIST_SLOTS 64

/* The stream floor's event: exactly the 3 fields the bench asks for. */
struct floor_event {
	__u64 ts_ns;
	__u32 pid;
	__u32 cpu;
};

#endif
