/* Every way to attach a BpfObject's programs, and the pre-load settings they
 * need: tracepoints, uprobes/uretprobes (by symbol or offset, one pid or all),
 * USDT probes, perf events (one CPU each), raw and BTF tracepoints, kprobes and
 * fentry. Added to BpfObject.prototype by pb_attach_more_init() (attachTracepoint
 * by object.c). Every failure is a Node-style error saying what was being attached:
 * "attach uprobe /usr/lib/x86_64-linux-gnu/libc.so.6:getpid: ENOENT (...)". */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"

/* `this` (open; loaded or not as `loaded` says) and the program named by argv[0]. */
static struct bpf_program *this_program(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
					bool loaded, const char *action, pb_object **o, char *name, size_t cap)
{
	*o = pb_object_this(env, info, argc, argv, NULL, true);
	if (!*o || !pb_object_need(env, *o, loaded, action))
		return NULL;
	return pb_object_program(env, *o, argv[0], name, cap);
}

static bool options(napi_env env, napi_value v)
{
	napi_valuetype t;

	if (napi_typeof(env, v, &t) != napi_ok || t != napi_object) {
		pb_throw_type(env, "options must be an object");
		return false;
	}
	return true;
}

/* The object owns the attachment (close() destroys it); JS gets a BpfLink. */
static napi_value adopt(napi_env env, pb_object *o, struct bpf_link *bl, const char *what)
{
	pb_link *l = calloc(1, sizeof(*l));

	if (!l || (o->nlinks == o->links_cap &&
		   !(o->links = realloc(o->links, (o->links_cap = o->links_cap * 2 + 4) * sizeof(*o->links))))) {
		bpf_link__destroy(bl);
		free(l);
		pb_throw_errno(env, ENOMEM, "attach %s", what);
		return NULL;
	}
	l->link = bl;
	l->owner = o;
	snprintf(l->what, sizeof(l->what), "%s", what);
	o->links[o->nlinks++] = l;
	return pb_link_wrap(env, l);
}

/* One way to attach: reads its arguments after the program name (argv[1..]),
 * says in `what` what it attaches ("uprobe /bin/x:f") and attaches p. On failure
 * it returns NULL having thrown (a bad argument), or with *err set to the errno
 * of the attach, which attach_with() reports as "attach <what>: E...". */
typedef struct bpf_link *attach_fn(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
				   size_t argc, char *what, size_t cap, int *err);

#define ATTACH_MAX_ARGS 3

/* What every attach* method shares: `this` loaded, the program by name, the
 * libbpf log of this attach only, the error, and the link owned by the object. */
static napi_value attach_with(napi_env env, napi_callback_info info, size_t nargs, attach_fn *fn)
{
	size_t argc = nargs;
	napi_value argv[ATTACH_MAX_ARGS];
	char name[128], what[900] = "";
	pb_object *o;
	struct bpf_program *p = this_program(env, info, &argc, argv, true, "attach", &o, name, sizeof(name));
	struct bpf_link *bl;
	bool threw = false;
	int err = 0;

	if (!p)
		return NULL;
	pb_libbpf_log_reset();
	bl = fn(env, p, name, argv, argc, what, sizeof(what), &err);
	if (!bl) {
		napi_is_exception_pending(env, &threw);
		if (!threw)
			pb_throw_errno(env, err, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

/* setAutoload(program, bool): before load; variants the kernel lacks stay unloaded. */
static napi_value set_autoload(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128];
	bool on;
	pb_object *o;
	struct bpf_program *p = this_program(env, info, &argc, argv, false, "choose programs to load", &o, name,
					     sizeof(name));

	if (!p)
		return NULL;
	if (napi_get_value_bool(env, argv[1], &on) != napi_ok) {
		pb_throw_type(env, "autoload must be a boolean");
		return NULL;
	}
	bpf_program__set_autoload(p, on);
	return NULL;
}

/* setAttachTarget(program, kernelFunction): fentry/fexit need it before load. */
static napi_value set_attach_target(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128], fn[128];
	pb_object *o;
	struct bpf_program *p = this_program(env, info, &argc, argv, false, "set an attach target", &o, name,
					     sizeof(name));
	int err;

	if (!p || !pb_arg_string(env, argv[1], "kernel function", fn, sizeof(fn)))
		return NULL;
	pb_libbpf_log_reset();
	err = bpf_program__set_attach_target(p, 0, fn);
	if (err)
		pb_throw_errno(env, err, "set attach target of %s to %s", name, fn);
	return NULL;
}

/* attachTracepoint(program, category, name) */
static struct bpf_link *tracepoint(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
				   size_t argc, char *what, size_t cap, int *err)
{
	char cat[128], name[128];
	struct bpf_link *bl;

	if (!pb_arg_string(env, argv[1], "tracepoint category", cat, sizeof(cat)) ||
	    !pb_arg_string(env, argv[2], "tracepoint name", name, sizeof(name)))
		return NULL;
	snprintf(what, cap, "tracepoint %s:%s", cat, name);
	if (!(bl = bpf_program__attach_tracepoint(p, cat, name)))
		*err = errno;
	return bl;
}

/* attachUprobe(program, { binary, symbol?, offset?, pid?, retprobe?, cookie? }) */
static struct bpf_link *uprobe(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
			       size_t argc, char *what, size_t cap, int *err)
{
	char binary[512], symbol[256];
	uint32_t off, pid, cookie;
	bool ret;
	struct bpf_link *bl;
	LIBBPF_OPTS(bpf_uprobe_opts, uo);

	if (!options(env, argv[1]) || !pb_arg_opt_string(env, argv[1], "binary", binary, sizeof(binary)) ||
	    !pb_arg_opt_string(env, argv[1], "symbol", symbol, sizeof(symbol)) ||
	    !pb_arg_opt_u32(env, argv[1], "offset", 0, &off) || !pb_arg_opt_u32(env, argv[1], "pid", 0, &pid) ||
	    !pb_arg_opt_bool(env, argv[1], "retprobe", &ret) || !pb_arg_opt_u32(env, argv[1], "cookie", 0, &cookie))
		return NULL;
	if (!binary[0]) {
		pb_throw_type(env, "options.binary must name the executable or library to probe");
		return NULL;
	}
	if (symbol[0])
		snprintf(what, cap, "%s %s:%s%s", ret ? "uretprobe" : "uprobe", binary, symbol, off ? "+offset" : "");
	else
		snprintf(what, cap, "%s %s:0x%x", ret ? "uretprobe" : "uprobe", binary, off);
	if (pid)
		snprintf(what + strlen(what), cap - strlen(what), " (pid %u)", pid);
	uo.retprobe = ret;
	uo.bpf_cookie = cookie; /* bpf_get_attach_cookie() in the program (uprobes: Linux 5.15) */
	uo.func_name = symbol[0] ? symbol : NULL; /* libbpf resolves it in the ELF (and its offset is added) */
	/* libbpf: pid -1 = every process, 0 = this one */
	if (!(bl = bpf_program__attach_uprobe_opts(p, pid ? (pid_t)pid : -1, binary, off, &uo)))
		*err = errno;
	return bl;
}

/* attachUsdt(program, { binary, provider, name, pid?, cookie? }) */
static struct bpf_link *usdt(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
			     size_t argc, char *what, size_t cap, int *err)
{
	char binary[512], provider[128], probe[128];
	uint32_t pid, cookie;
	struct bpf_link *bl;
	LIBBPF_OPTS(bpf_usdt_opts, uo);

	if (!options(env, argv[1]) || !pb_arg_opt_string(env, argv[1], "binary", binary, sizeof(binary)) ||
	    !pb_arg_opt_string(env, argv[1], "provider", provider, sizeof(provider)) ||
	    !pb_arg_opt_string(env, argv[1], "name", probe, sizeof(probe)) ||
	    !pb_arg_opt_u32(env, argv[1], "pid", 0, &pid) || !pb_arg_opt_u32(env, argv[1], "cookie", 0, &cookie))
		return NULL;
	if (!binary[0] || !provider[0] || !probe[0]) {
		pb_throw_type(env, "options.binary, options.provider and options.name are required");
		return NULL;
	}
	snprintf(what, cap, "usdt %s:%s:%s", binary, provider, probe);
	if (pid)
		snprintf(what + strlen(what), cap - strlen(what), " (pid %u)", pid);
	uo.usdt_cookie = cookie;
	if (!(bl = bpf_program__attach_usdt(p, pid ? (pid_t)pid : -1, binary, provider, probe, &uo)))
		*err = errno;
	return bl;
}

/* attachPerfEvent(program, { cpu, frequency }): a PERF_COUNT_SW_CPU_CLOCK
 * sampling event on one CPU, every process; the link owns the perf fd. */
static struct bpf_link *perf_event(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
				   size_t argc, char *what, size_t cap, int *err)
{
	uint32_t cpu, freq;
	struct perf_event_attr attr;
	struct bpf_link *bl;
	int pfd;

	if (!options(env, argv[1]) || !pb_arg_opt_u32(env, argv[1], "cpu", 0, &cpu) ||
	    !pb_arg_opt_u32(env, argv[1], "frequency", 49, &freq))
		return NULL;
	if (freq == 0) {
		pb_throw_type(env, "options.frequency must be at least 1 (samples per second)");
		return NULL;
	}
	snprintf(what, cap, "perf event cpu-clock at %u Hz on CPU %u", freq, cpu);
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.freq = 1;
	attr.sample_freq = freq;
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		pb_throw_errno(env, errno, "open %s", what); /* EINVAL: no such CPU, or above perf_event_max_sample_rate */
		return NULL;
	}
	if (!(bl = bpf_program__attach_perf_event(p, pfd))) {
		*err = errno;
		close(pfd);
	}
	return bl;
}

/* attachRawTracepoint(program, name): raw_tp/<name> (no argument parsing). */
static struct bpf_link *raw_tp(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
			       size_t argc, char *what, size_t cap, int *err)
{
	char tp[128];
	struct bpf_link *bl;

	if (!pb_arg_string(env, argv[1], "raw tracepoint name", tp, sizeof(tp)))
		return NULL;
	snprintf(what, cap, "raw tracepoint %s", tp);
	if (!(bl = bpf_program__attach_raw_tracepoint(p, tp)))
		*err = errno;
	return bl;
}

/* attachTrace(program): tp_btf, fentry, fexit: the target was fixed at load. */
static struct bpf_link *trace(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
			      size_t argc, char *what, size_t cap, int *err)
{
	struct bpf_link *bl;

	snprintf(what, cap, "%s program %s", bpf_program__section_name(p), prog);
	if (!(bl = bpf_program__attach_trace(p)))
		*err = errno;
	return bl;
}

/* attachKprobe(program, { function, retprobe? }) */
static struct bpf_link *kprobe(napi_env env, struct bpf_program *p, const char *prog, napi_value *argv,
			       size_t argc, char *what, size_t cap, int *err)
{
	char fn[128];
	bool ret;
	struct bpf_link *bl;

	if (!options(env, argv[1]) || !pb_arg_opt_string(env, argv[1], "function", fn, sizeof(fn)) ||
	    !pb_arg_opt_bool(env, argv[1], "retprobe", &ret))
		return NULL;
	if (!fn[0]) {
		pb_throw_type(env, "options.function must name a kernel function");
		return NULL;
	}
	snprintf(what, cap, "%s %s", ret ? "kretprobe" : "kprobe", fn);
	if (!(bl = bpf_program__attach_kprobe(p, ret, fn)))
		*err = errno;
	return bl;
}

napi_value pb_attach_tracepoint(napi_env env, napi_callback_info info) { return attach_with(env, info, 3, tracepoint); }
static napi_value attach_uprobe(napi_env env, napi_callback_info info) { return attach_with(env, info, 2, uprobe); }
static napi_value attach_usdt(napi_env env, napi_callback_info info) { return attach_with(env, info, 2, usdt); }
static napi_value attach_perf_event(napi_env env, napi_callback_info info) { return attach_with(env, info, 2, perf_event); }
static napi_value attach_raw_tp(napi_env env, napi_callback_info info) { return attach_with(env, info, 2, raw_tp); }
static napi_value attach_trace(napi_env env, napi_callback_info info) { return attach_with(env, info, 1, trace); }
static napi_value attach_kprobe(napi_env env, napi_callback_info info) { return attach_with(env, info, 2, kprobe); }

bool pb_attach_more_init(napi_env env, napi_value object_ctor)
{
	napi_property_descriptor props[] = {
		{ "setAutoload", NULL, set_autoload, NULL, NULL, NULL, napi_default, NULL },
		{ "setAttachTarget", NULL, set_attach_target, NULL, NULL, NULL, napi_default, NULL },
		{ "attachUprobe", NULL, attach_uprobe, NULL, NULL, NULL, napi_default, NULL },
		{ "attachUsdt", NULL, attach_usdt, NULL, NULL, NULL, napi_default, NULL },
		{ "attachPerfEvent", NULL, attach_perf_event, NULL, NULL, NULL, napi_default, NULL },
		{ "attachRawTracepoint", NULL, attach_raw_tp, NULL, NULL, NULL, napi_default, NULL },
		{ "attachTrace", NULL, attach_trace, NULL, NULL, NULL, napi_default, NULL },
		{ "attachKprobe", NULL, attach_kprobe, NULL, NULL, NULL, napi_default, NULL },
		{ "stackTrace", NULL, pb_stack_trace, NULL, NULL, NULL, napi_default, NULL },
		{ "hashEntries", NULL, pb_hash_entries, NULL, NULL, NULL, napi_default, NULL },
	};

	return pb_define_methods(env, object_ctor, props, sizeof(props) / sizeof(props[0]),
				 "define BpfObject attach methods");
}
