/* tp_events: one ring-buffer record per tracepoint hit.
 *
 * This header is the only description of the template's layouts. The BPF side
 * includes it; the TypeScript side reads the same structs from the compiled
 * object's BTF (scripts/gen-bpf-descriptors.mjs -> bpf/generated/tp_events.ts),
 * so there is no second hand-kept copy to drift.
 */
#ifndef PB_TP_EVENTS_H
#define PB_TP_EVENTS_H

#include "filter.h" /* struct pb_filter; common.bpf.h: struct pb_event_header */

/* Upper bound of the field plan; a bounded loop walks it. */
#define TP_MAX_FIELDS 16

/* What to do with one planned field. Packed to one byte so it can sit in the
 * plan entry and still carry its names into BTF (and so into TypeScript). */
enum __attribute__((packed)) tp_field_kind {
	TP_FIELD_NONE = 0,
	TP_FIELD_INT = 1,        /* copy `size` bytes (an integer or a pointer value) */
	TP_FIELD_ARRAY = 2,      /* copy a fixed-size array of `size` bytes (char comm[16], u8 addr[4]) */
	TP_FIELD_DATA_LOC = 3,   /* __data_loc char[]: u32 at src_off = len << 16 | offset from record start */
	TP_FIELD_REL_LOC = 4,    /* __rel_loc char[]: like DATA_LOC, offset counted from the end of the field */
	TP_FIELD_USER_STR = 5,   /* a user-space `const char *` (syscall arguments) */
	TP_FIELD_KERNEL_STR = 6, /* a kernel `const char *` */
};

/* One entry of the field plan (12 bytes). */
struct tp_field_plan {
	__u16 src_off;  /* offset in the raw tracepoint record (as in the event's `format` file) */
	__u16 size;     /* bytes read at src_off: the integer/array size, 8 for pointers, 4 for *_LOC */
	__u16 dst_off;  /* offset in the event, from the start of the header */
	__u16 max_len;  /* strings: bytes reserved at dst_off, NUL included (the string is cut there) */
	enum tp_field_kind kind;
	__u8 _pad[3];
};

/* Frames kept per stack id: the kernel's PERF_MAX_STACK_DEPTH. */
#define TP_STACK_DEPTH 127

/* Optional stack id columns (opt-in "kstack" / "ustack"): a __s32 id in
 * pb_stacks at the given offset of the record (negative: no stack, -errno).
 * 0 = not recorded: bpf_get_stackid() is never called (a rodata constant, so
 * the verifier drops the code), and the loader leaves pb_stacks at 1 entry. */
struct tp_stack_plan {
	__u8 kstack;
	__u8 ustack;
	__u16 kstack_off;
	__u16 ustack_off;
	__u16 _pad;
};

/* The template's configuration: the object's `cfg` rodata, written before load.
 * Because .rodata is frozen, the verifier sees every value here as a constant:
 * the reservation size is a known constant and the plan loop unrolls per entry. */
struct tp_events_config {
	__u32 event_size;    /* bytes reserved per event: header + payload, multiple of 8 */
	__u32 nfields;       /* used entries of fields[] */
	__u64 wakeup_bytes;  /* 0 = libbpf's adaptive wakeup; else wake the consumer only when
	                      * this many bytes are pending (it also polls with a timeout) */
	struct pb_header_plan header; /* where each common column goes, or PB_HDR_SKIP (common.bpf.h) */
	struct pb_filter filter; /* process, thread, uid, cgroup, comm, field predicates, 1-in-N
	                          * sampling; the reader's pid namespace (filter.h) */
	struct tp_field_plan fields[TP_MAX_FIELDS];
	struct tp_stack_plan stacks; /* kernel and user stack ids, when asked for */
};

/* Every event starts with the common columns the declaration keeps, members of
 * struct pb_event_header (common.bpf.h) packed in its order as cfg.header says
 * (all of them: that struct exactly); the planned payload follows them. */

#endif
