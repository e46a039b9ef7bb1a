/* Ending a run without waiting on its detach.
 *
 * BpfObject.storeU32(section, offset, value): writes a u32 of a loaded object's
 * data section (".bss") through the map's memory mapping, so programs running
 * now see it on their next event: how user space flips a run's switch.
 *
 * quiesceAsync(): resolves once every BPF program that was running anywhere
 * when it was called has returned. Tracepoint, kprobe, perf-event and tp_btf
 * programs run with preemption disabled (trace_call_bpf, __bpf_trace_run; the
 * faultable syscall tracepoints of 6.13+ disable it around BPF), so
 * once a CPU has switched to another task, whatever program ran there has
 * returned; a program that starts after that switch sees the stored switch
 * (the context switch orders memory). On a libuv worker, the thread moves
 * itself onto every online CPU in turn (sched_setaffinity migrates the caller
 * before it returns), which is each CPU switching to it: microseconds per CPU,
 * where a detach waits on three RCU grace periods (50-90 ms). When the thread
 * may not run on some CPU (a cpuset), membarrier(MEMBARRIER_CMD_GLOBAL) waits
 * for a full RCU grace period instead, which covers the same programs.
 * Programs that may be preempted while they run (uprobes and USDT, which run
 * under rcu_read_lock_trace with migration disabled since sleepable uprobes;
 * fentry/fexit trampolines under PREEMPT) are not covered: callers detach
 * those instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"

/* storeU32(section, offset, value) */
static napi_value store_u32(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3];
	char name[64];
	uint32_t off, value;
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	size_t size, page = (size_t)sysconf(_SC_PAGESIZE), len;
	void *p;

	if (!o || !pb_object_need(env, o, true, "store into a data section"))
		return NULL;
	if (argc < 3 || !pb_arg_string(env, argv[0], "section", name, sizeof(name)) ||
	    !pb_arg_u32(env, argv[1], "offset", &off) || !pb_arg_u32(env, argv[2], "value", &value))
		return NULL;
	m = bpf_object__find_map_by_name(o->obj, name);
	if (!m || !bpf_map__initial_value(m, &size)) {
		pb_throw_state(env, "ERR_BPF_NOT_DATA", "%s has no data section %s", o->path, name);
		return NULL;
	}
	if (off % 4 || (size_t)off + 4 > size) {
		pb_throw_state(env, "ERR_OUT_OF_RANGE", "store a u32 at %u of %s: the section has %zu bytes (4-byte aligned offsets)",
			       off, name, size);
		return NULL;
	}
	if (bpf_map__map_flags(m) & BPF_F_MMAPABLE) {
		len = (size + page - 1) / page * page;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
		if (p != MAP_FAILED) {
			__atomic_store_n((uint32_t *)((char *)p + off), value, __ATOMIC_SEQ_CST);
			munmap(p, len);
			return NULL;
		}
	}
	/* Not mappable (an old kernel): rewrite the section's one value. Only user
	 * space writes these sections, so reading it back first loses nothing. */
	{
		uint32_t zero = 0;
		uint8_t *buf = malloc(size);
		int err = 0;

		if (!buf) {
			pb_throw_errno(env, ENOMEM, "store into %s", name);
			return NULL;
		}
		if (bpf_map_lookup_elem(bpf_map__fd(m), &zero, buf))
			err = errno;
		if (!err) {
			memcpy(buf + off, &value, 4);
			if (bpf_map_update_elem(bpf_map__fd(m), &zero, buf, BPF_ANY))
				err = errno;
		}
		free(buf);
		if (err)
			pb_throw_errno(env, err, "store into %s of %s", name, o->path);
	}
	return NULL;
}

struct pb_quiesce {
	napi_async_work work;
	napi_deferred deferred;
	const char *method;
	int err;
	double ms;
};

/* Runs the calling thread once on every online CPU; 0, or -errno when some CPU refused it. */
static int visit_every_cpu(void)
{
	cpu_set_t saved, one;
	int ncpu = (int)sysconf(_SC_NPROCESSORS_CONF), err = 0;

	if (ncpu < 1 || ncpu > CPU_SETSIZE || sched_getaffinity(0, sizeof(saved), &saved))
		return -EINVAL;
	for (int cpu = 0; cpu < ncpu && !err; cpu++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (cpu > 0 && access(path, F_OK) == 0) {
			FILE *f = fopen(path, "r");
			int c = f ? fgetc(f) : '1';

			if (f)
				fclose(f);
			if (c == '0')
				continue; /* offline: runs nothing */
		}
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			err = -errno;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return err;
}

static void quiesce_execute(napi_env env, void *data)
{
	struct pb_quiesce *q = data;
	struct timespec t0, t1;

	(void)env;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	q->method = "cpus";
	if (visit_every_cpu()) {
		q->method = "rcu";
		if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
			q->err = errno;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	q->ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

static void quiesce_complete(napi_env env, napi_status status, void *data)
{
	struct pb_quiesce *q = data;
	napi_value result;

	if (status != napi_ok) /* cancelled before it ran */
		quiesce_execute(env, q);
	if (q->err) {
		napi_reject_deferred(env, q->deferred, pb_make_error(env, q->err, "wait for running BPF programs"));
	} else if (napi_create_object(env, &result) == napi_ok) {
		pb_set_prop_num(env, result, "ms", q->ms);
		pb_set_prop_str(env, result, "method", q->method);
		napi_resolve_deferred(env, q->deferred, result);
	}
	napi_delete_async_work(env, q->work);
	free(q);
}

static napi_value quiesce_async(napi_env env, napi_callback_info info)
{
	napi_value promise, name;
	struct pb_quiesce *q = calloc(1, sizeof(*q));

	(void)info;
	if (!q) {
		pb_throw_errno(env, ENOMEM, "wait for running BPF programs");
		return NULL;
	}
	PB_CHECK(env, napi_create_promise(env, &q->deferred, &promise));
	napi_create_string_utf8(env, "probebook.quiesce", NAPI_AUTO_LENGTH, &name);
	if (napi_create_async_work(env, NULL, name, quiesce_execute, quiesce_complete, q, &q->work) != napi_ok) {
		free(q);
		pb_rethrow_napi(env, "queue the wait for running BPF programs");
		return NULL;
	}
	if (napi_queue_async_work(env, q->work) != napi_ok)
		quiesce_complete(env, napi_generic_failure, q);
	return promise;
}

bool pb_run_switch_init(napi_env env, napi_value exports, napi_value object_ctor)
{
	napi_property_descriptor props[] = {
		{ "storeU32", NULL, store_u32, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_value fn;

	if (napi_create_function(env, "quiesceAsync", NAPI_AUTO_LENGTH, quiesce_async, NULL, &fn) != napi_ok ||
	    napi_set_named_property(env, exports, "quiesceAsync", fn) != napi_ok) {
		pb_rethrow_napi(env, "define quiesceAsync");
		return false;
	}
	return pb_define_methods(env, object_ctor, props, 1, "define BpfObject.storeU32");
}
