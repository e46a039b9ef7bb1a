/* profile: CPU profile by perf-event sampling, with kernel and user stacks.
 *
 * The only description of the template's layouts (the TypeScript side reads
 * them from the compiled object's BTF: bpf/generated/profile.ts). */
#ifndef PB_PROFILE_H
#define PB_PROFILE_H

/* Frames kept per stack: the kernel's PERF_MAX_STACK_DEPTH. */
#define PROFILE_STACK_DEPTH 127

/* One sampled place: who, and where in the kernel and in user space. */
struct profile_key {
	__u32 pid;            /* tgid (0: the idle task or not in the reader's pid namespace) */
	__s32 kern_stack_id;  /* id in pb_stacks; negative: no kernel stack (e.g. -EFAULT) */
	__s32 user_stack_id;  /* id in pb_stacks; negative: no user stack (kernel thread, ...) */
	__u32 _pad;
	char comm[16];
};

struct profile_config {
	__u32 target_tgid;    /* 0 = every process */
	__u8 include_idle;    /* 0 = skip samples of the idle task (pid 0) */
	__u8 kernel_stacks;   /* collect kernel stacks */
	__u8 user_stacks;     /* collect user stacks */
	__u8 _pad;
	__u64 pidns_dev;      /* the reader's pid namespace; 0 = the initial one */
	__u64 pidns_ino;
};

#endif
