// feature_probes: one trivial program per hook kind. runtime/host/features.ts
// autoloads exactly one, loads it through the verifier and attaches it the way
// the templates do; whichever step fails names the missing feature. Each
// program returns at once: attached for an instant, it costs nothing.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "feature_probes.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int pb_fp_tracepoint(void *ctx) { return 0; }

SEC("raw_tp/sys_enter")
int pb_fp_raw_tp(void *ctx) { return 0; }

SEC("tp_btf/sys_enter")
int pb_fp_tp_btf(__u64 *ctx) { return 0; }

/* The function every kernel has that the examples use. */
SEC("kprobe/do_sys_openat2")
int pb_fp_kprobe(struct pt_regs *ctx) { return 0; }

SEC("fentry/do_sys_openat2")
int pb_fp_fentry(__u64 *ctx) { return 0; }

SEC("uprobe")
int pb_fp_uprobe(struct pt_regs *ctx) { return 0; }

SEC("usdt")
int pb_fp_usdt(struct pt_regs *ctx)
{
	long arg = 0;

	bpf_usdt_arg(ctx, 0, &arg); /* links the usdt.bpf.h machinery the templates use */
	return 0;
}

SEC("perf_event")
int pb_fp_perf_event(struct bpf_perf_event_data *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
