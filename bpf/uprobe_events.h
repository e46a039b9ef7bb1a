/* uprobe_events: one ring-buffer record per hit of a user-space function
 * (uprobe), its return (uretprobe) or a USDT probe; the same plan also drives
 * kernel-function variants (kprobe, kretprobe, fentry) where the kernel has them.
 *
 * The only description of the template's layouts: the BPF side includes it,
 * the TypeScript side reads it from the compiled object's BTF
 * (bpf/generated/uprobe_events.ts). */
#ifndef PB_UPROBE_EVENTS_H
#define PB_UPROBE_EVENTS_H

#include "filter.h" /* struct pb_filter; common.bpf.h: struct pb_event_header */

/* Up to 6 arguments (PT_REGS_PARM1..6 on x86-64: the System V integer registers)
 * plus the return value. USDT probes have at most 12 arguments; we keep 6. */
#define UP_MAX_VALUES 7

/* Where a value comes from. */
enum __attribute__((packed)) up_value_source {
	UP_SRC_NONE = 0,
	UP_SRC_ARG = 1,    /* argument `index` (0-based) of the function or USDT probe */
	UP_SRC_RETVAL = 2, /* the return value (uretprobe only) */
};

/* What to store for it. */
enum __attribute__((packed)) up_value_kind {
	UP_VALUE_INT = 0,      /* the 8-byte register value; the decoder picks the width and sign */
	UP_VALUE_USER_STR = 1, /* the value is a `const char *` in the traced process: copy the string */
	UP_VALUE_ANY_STR = 2,  /* a kernel function's `const char *`: a kernel string, or a user one
	                        * (`const char __user *`, e.g. do_sys_openat2's filename), told apart
	                        * by its address (kprobe/fentry variants) */
};

struct up_value_plan {
	__u16 dst_off;  /* offset in the event, from the start of the header */
	__u16 max_len;  /* strings: bytes reserved at dst_off, NUL included */
	enum up_value_source source;
	enum up_value_kind kind;
	__u8 index;
	__u8 _pad;
};

/* The `cfg` rodata, written before load: constants for the verifier. */
struct uprobe_events_config {
	__u32 event_size;   /* bytes reserved per event: header + payload, multiple of 8 */
	__u32 nvalues;      /* used entries of values[] */
	__u64 wakeup_bytes; /* as in tp_events: wake the reader only for a backlog */
	/* process, thread, uid, cgroup, comm, sampling and the reader's pid namespace
	 * (filter.h). Predicates read the probe's struct pt_regs: an argument or the
	 * return value is an integer at its register's offset (uprobe, uretprobe, kprobe). */
	struct pb_filter filter;
	struct up_value_plan values[UP_MAX_VALUES];
	/* 1: a return probe that shows its call's arguments too. The entry program
	 * (pb_uprobe_entry, pb_kprobe_entry) saves the argument registers per thread;
	 * the return reads its UP_SRC_ARG values from there (pointers are followed at
	 * the return, when what they point to is filled in) and emits nothing for a
	 * call that began before the probe was attached. */
	__u8 entry_args;
	__u8 _pad3[7];
};

/* The argument registers of a call in progress, saved at its entry (pb_entry_args). */
struct up_entry_args {
	__u64 args[8]; /* 6 used: x86-64 passes six in registers */
};

/* Every event starts with struct pb_event_header (common.bpf.h); the planned values follow it. */

#endif
