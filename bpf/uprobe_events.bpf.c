// uprobe_events: a generic user-space probe event stream.
//
// Three programs share one value plan (cfg, see uprobe_events.h): pb_uprobe
// (function entry: arguments), pb_uretprobe (function return: the return
// value) and pb_usdt (a USDT probe: its arguments through libbpf's usdt.bpf.h).
// The loader autoloads only the one a declaration needs; none has a fixed
// target: the binary, symbol and pid are given at attach time.
// pb_kprobe, pb_kretprobe and pb_fentry are the kernel-function variants of the
// same plan. They always compile; whether the kernel can attach them is asked
// at run time (runtime/host/features.ts): here CONFIG_KPROBES is off and fentry is
// refused, so the planner points declarations to a tracepoint or uprobe instead.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "uprobe_events.h"

const volatile struct uprobe_events_config cfg = {};

/* Never read: keeps struct pb_event_header in BTF for the generated descriptor. */
const volatile struct pb_event_header pb_event_header_layout = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* the loader sets the real size */
} pb_events SEC(".maps");

/* Calls in progress of a return probe that shows arguments, by thread
 * (pid_tgid). LRU: a call that never returns (a thread killed inside it)
 * ages out instead of filling the map. A recursive call overwrites its
 * caller's entry, so the outer return shows the inner call's arguments. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct up_entry_args);
} pb_entry_args SEC(".maps");

PB_COUNTER(pb_drops); /* reservations refused by a full ring (hits passed = rows + these) */
PB_RUN_SWITCH;

/* Argument `i` of a function entry. `i` is a rodata constant, so the verifier
 * keeps one branch of the switch. x86-64 System V: rdi, rsi, rdx, rcx, r8, r9
 * (PT_REGS_PARM4 is rcx: the user-space convention, not the syscall one).
 * The registers are copied with bpf_probe_read_kernel (the _CORE accessors):
 * clang folds the switch into `ctx + offset`, and the verifier refuses loads
 * through a modified ctx pointer. libbpf 1.1 stops at PARM5 (PARM6 came in 1.2). */
static __always_inline __u64 func_arg(struct pt_regs *ctx, __u8 i)
{
	switch (i) {
	case 0: return PT_REGS_PARM1_CORE(ctx);
	case 1: return PT_REGS_PARM2_CORE(ctx);
	case 2: return PT_REGS_PARM3_CORE(ctx);
	case 3: return PT_REGS_PARM4_CORE(ctx);
	case 4: return PT_REGS_PARM5_CORE(ctx);
#if defined(__TARGET_ARCH_x86)
	case 5: return BPF_CORE_READ(ctx, r9);
#endif
	default: return 0;
	}
}

enum up_mode { MODE_ENTRY, MODE_RETURN, MODE_USDT, MODE_FENTRY };

/* Entry half of a return probe with arguments: save them for the return. */
static __always_inline int save_entry_args(struct pt_regs *ctx)
{
	struct up_entry_args a = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (cfg.filter.tgid && (__u32)(id >> 32) != cfg.filter.tgid && !cfg.filter.pidns_ino)
		return 0; /* another process: its return is filtered out anyway */
	for (__u32 i = 0; i < 6; i++)
		a.args[i] = func_arg(ctx, i);
	bpf_map_update_elem(&pb_entry_args, &id, &a, BPF_ANY);
	return 0;
}

static __always_inline int emit(void *ctx, enum up_mode mode)
{
	struct pb_ids ids = PB_IDS_INIT;
	struct up_entry_args saved = {};
	void *e;

	if (pb_run_stopped())
		return 0;
	if (mode == MODE_RETURN && cfg.entry_args) {
		__u64 id = bpf_get_current_pid_tgid();
		struct up_entry_args *a = bpf_map_lookup_elem(&pb_entry_args, &id);

		if (!a)
			return 0; /* the call began before the probe was attached */
		saved = *a;
		bpf_map_delete_elem(&pb_entry_args, &id);
	}

	/* A uprobe attached for one pid only fires there already; the filter also
	 * covers "every process" attachments and the other clauses. */
	if (!pb_filter_pass(ctx, &cfg.filter, &ids))
		return 0;
	e = pb_reserve(&pb_events, cfg.event_size, &pb_drops);
	if (!e)
		return 0;
	pb_need_pid(&cfg.filter, &ids);
	pb_need_uid(&ids);
	pb_fill_header(e, &ids);

	for (__u32 i = 0; i < UP_MAX_VALUES; i++) {
		const volatile struct up_value_plan *v = &cfg.values[i];
		__u64 val = 0;
		long arg = 0;

		if (i >= cfg.nvalues)
			break;
		if (v->source == UP_SRC_RETVAL) {
			if (mode == MODE_RETURN)
				val = PT_REGS_RC_CORE((struct pt_regs *)ctx);
		} else if (v->source == UP_SRC_ARG) {
			if (mode == MODE_USDT) {
				if (bpf_usdt_arg(ctx, v->index, &arg) == 0)
					val = arg;
			} else if (mode == MODE_RETURN) {
				if (cfg.entry_args && v->index < 6)
					val = saved.args[v->index & 7];
			} else if (mode == MODE_FENTRY) {
				if (v->index < 6) /* fentry's ctx is the array of arguments */
					bpf_probe_read_kernel(&val, sizeof(val), (__u64 *)ctx + v->index);
			} else {
				val = func_arg(ctx, v->index);
			}
		}
		if (v->kind == UP_VALUE_USER_STR) {
			if (bpf_probe_read_user_str(e + v->dst_off, v->max_len, (const void *)val) <= 0)
				*(char *)(e + v->dst_off) = 0; /* unreadable (NULL, page not present): "" */
		} else if (v->kind == UP_VALUE_ANY_STR) {
			/* A kernel function's char * may point into the caller's memory (a
			 * syscall's path) or the kernel's; BTF does not say which on kernels
			 * built without type tags (Debian's 6.1 is built with gcc). Kernel
			 * addresses are the upper half on x86-64 and arm64, user addresses
			 * the lower, and the wrong helper reads nothing (SMAP, or a fault). */
			long n = (__s64)val < 0 ? bpf_probe_read_kernel_str(e + v->dst_off, v->max_len, (const void *)val)
						: bpf_probe_read_user_str(e + v->dst_off, v->max_len, (const void *)val);
			if (n <= 0)
				*(char *)(e + v->dst_off) = 0;
		} else {
			*(__u64 *)(e + v->dst_off) = val;
		}
	}

	pb_ringbuf_submit(&pb_events, e, cfg.wakeup_bytes);
	return 0;
}

SEC("uprobe")
int pb_uprobe(struct pt_regs *ctx)
{
	return emit(ctx, MODE_ENTRY);
}

SEC("uretprobe")
int pb_uretprobe(struct pt_regs *ctx)
{
	return emit(ctx, MODE_RETURN);
}

SEC("uprobe")
int pb_uprobe_entry(struct pt_regs *ctx)
{
	return save_entry_args(ctx);
}

SEC("usdt")
int pb_usdt(struct pt_regs *ctx)
{
	return emit(ctx, MODE_USDT);
}

SEC("kprobe")
int pb_kprobe(struct pt_regs *ctx)
{
	return emit(ctx, MODE_ENTRY);
}

SEC("kprobe")
int pb_kprobe_entry(struct pt_regs *ctx)
{
	return save_entry_args(ctx);
}

SEC("kretprobe")
int pb_kretprobe(struct pt_regs *ctx)
{
	return emit(ctx, MODE_RETURN);
}

/* The target function is set before load (bpf_program__set_attach_target). */
SEC("fentry")
int pb_fentry(__u64 *ctx)
{
	return emit(ctx, MODE_FENTRY);
}

char LICENSE[] SEC("license") = "GPL";
