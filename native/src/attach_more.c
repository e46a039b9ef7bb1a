/* More ways to attach a BpfObject's programs, and the pre-load settings they
 * need: uprobes/uretprobes (by symbol or offset, one pid or all), USDT probes,
 * perf events (one CPU each), raw and BTF tracepoints, kprobes and fentry.
 * Added to BpfObject.prototype by pb_attach_more_init(). Every failure is a
 * Node-style error saying what was being attached:
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

static pb_object *this_object(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv)
{
	napi_value self;
	pb_object *o = NULL;

	if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok ||
	    napi_unwrap(env, self, (void **)&o) != napi_ok || !o) {
		pb_throw_type(env, "method called on something that is not a BpfObject");
		return NULL;
	}
	if (!o->obj) {
		pb_throw_state(env, "ERR_BPF_CLOSED", "BPF object %s is closed", o->path);
		return NULL;
	}
	return o;
}

static bool need_loaded(napi_env env, pb_object *o, bool loaded, const char *action)
{
	if (o->loaded == loaded)
		return true;
	pb_throw_state(env, loaded ? "ERR_BPF_NOT_LOADED" : "ERR_BPF_LOADED", "cannot %s: %s is %s", action,
		       o->path, loaded ? "not loaded yet (call load() first)" : "already loaded");
	return false;
}

static struct bpf_program *program(napi_env env, pb_object *o, napi_value v, char *name, size_t cap)
{
	struct bpf_program *p;

	if (!pb_arg_string(env, v, "program name", name, cap))
		return NULL;
	p = bpf_object__find_program_by_name(o->obj, name);
	if (!p)
		pb_throw_state(env, "ERR_BPF_NO_PROGRAM", "%s has no program named \"%s\"", o->path, name);
	return p;
}

/* Optional string member of an options object; "" when absent. */
static bool opt_string(napi_env env, napi_value obj, const char *key, char *buf, size_t cap)
{
	napi_value v;
	napi_valuetype t;
	char what[96];

	buf[0] = 0;
	if (napi_get_named_property(env, obj, key, &v) != napi_ok)
		return false;
	napi_typeof(env, v, &t);
	if (t == napi_undefined)
		return true;
	snprintf(what, sizeof(what), "options.%s", key);
	return pb_arg_string(env, v, what, buf, cap);
}

static bool opt_bool(napi_env env, napi_value obj, const char *key, bool *out)
{
	napi_value v;
	napi_valuetype t;

	*out = false;
	if (napi_get_named_property(env, obj, key, &v) != napi_ok)
		return false;
	napi_typeof(env, v, &t);
	if (t == napi_undefined)
		return true;
	if (t != napi_boolean) {
		pb_throw_type(env, "options.%s must be a boolean", key);
		return false;
	}
	napi_get_value_bool(env, v, out);
	return true;
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

/* setAutoload(program, bool): before load; variants the kernel lacks stay unloaded. */
static napi_value set_autoload(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128];
	bool on;
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;

	if (!o || !need_loaded(env, o, false, "choose programs to load"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))))
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
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	int err;

	if (!o || !need_loaded(env, o, false, "set an attach target"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))) ||
	    !pb_arg_string(env, argv[1], "kernel function", fn, sizeof(fn)))
		return NULL;
	pb_libbpf_log_reset();
	err = bpf_program__set_attach_target(p, 0, fn);
	if (err)
		pb_throw_errno(env, err, "set attach target of %s to %s", name, fn);
	return NULL;
}

/* attachUprobe(program, { binary, symbol?, offset?, pid?, retprobe? }) */
static napi_value attach_uprobe(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128], binary[512], symbol[256], what[900];
	uint32_t off, pid;
	bool ret;
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	struct bpf_link *bl;
	LIBBPF_OPTS(bpf_uprobe_opts, uo);

	if (!o || !need_loaded(env, o, true, "attach"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))) || argc < 2 || !options(env, argv[1]) ||
	    !opt_string(env, argv[1], "binary", binary, sizeof(binary)) ||
	    !opt_string(env, argv[1], "symbol", symbol, sizeof(symbol)) ||
	    !pb_arg_opt_u32(env, argv[1], "offset", 0, &off) || !pb_arg_opt_u32(env, argv[1], "pid", 0, &pid) ||
	    !opt_bool(env, argv[1], "retprobe", &ret))
		return NULL;
	if (!binary[0]) {
		pb_throw_type(env, "options.binary must name the executable or library to probe");
		return NULL;
	}
	if (symbol[0])
		snprintf(what, sizeof(what), "%s %s:%s%s", ret ? "uretprobe" : "uprobe", binary, symbol,
			 off ? "+offset" : "");
	else
		snprintf(what, sizeof(what), "%s %s:0x%x", ret ? "uretprobe" : "uprobe", binary, off);
	if (pid)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " (pid %u)", pid);
	uo.retprobe = ret;
	uo.func_name = symbol[0] ? symbol : NULL; /* libbpf resolves it in the ELF (and its offset is added) */
	pb_libbpf_log_reset();
	/* libbpf: pid -1 = every process, 0 = this one */
	bl = bpf_program__attach_uprobe_opts(p, pid ? (pid_t)pid : -1, binary, off, &uo);
	if (!bl) {
		pb_throw_errno(env, errno, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

/* attachUsdt(program, { binary, provider, name, pid?, cookie? }) */
static napi_value attach_usdt(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128], binary[512], provider[128], probe[128], what[900];
	uint32_t pid, cookie;
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	struct bpf_link *bl;
	LIBBPF_OPTS(bpf_usdt_opts, uo);

	if (!o || !need_loaded(env, o, true, "attach"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))) || argc < 2 || !options(env, argv[1]) ||
	    !opt_string(env, argv[1], "binary", binary, sizeof(binary)) ||
	    !opt_string(env, argv[1], "provider", provider, sizeof(provider)) ||
	    !opt_string(env, argv[1], "name", probe, sizeof(probe)) ||
	    !pb_arg_opt_u32(env, argv[1], "pid", 0, &pid) || !pb_arg_opt_u32(env, argv[1], "cookie", 0, &cookie))
		return NULL;
	if (!binary[0] || !provider[0] || !probe[0]) {
		pb_throw_type(env, "options.binary, options.provider and options.name are required");
		return NULL;
	}
	snprintf(what, sizeof(what), "usdt %s:%s:%s", binary, provider, probe);
	if (pid)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " (pid %u)", pid);
	uo.usdt_cookie = cookie;
	pb_libbpf_log_reset();
	bl = bpf_program__attach_usdt(p, pid ? (pid_t)pid : -1, binary, provider, probe, &uo);
	if (!bl) {
		pb_throw_errno(env, errno, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

/* attachPerfEvent(program, { cpu, frequency }): a PERF_COUNT_SW_CPU_CLOCK
 * sampling event on one CPU, every process; the link owns the perf fd. */
static napi_value attach_perf_event(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128], what[160];
	uint32_t cpu, freq;
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	struct perf_event_attr attr;
	struct bpf_link *bl;
	int pfd;

	if (!o || !need_loaded(env, o, true, "attach"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))) || argc < 2 || !options(env, argv[1]) ||
	    !pb_arg_opt_u32(env, argv[1], "cpu", 0, &cpu) || !pb_arg_opt_u32(env, argv[1], "frequency", 49, &freq))
		return NULL;
	if (freq == 0) {
		pb_throw_type(env, "options.frequency must be at least 1 (samples per second)");
		return NULL;
	}
	snprintf(what, sizeof(what), "perf event cpu-clock at %u Hz on CPU %u", freq, cpu);
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
	pb_libbpf_log_reset();
	bl = bpf_program__attach_perf_event(p, pfd);
	if (!bl) {
		int err = errno;
		close(pfd);
		pb_throw_errno(env, err, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

/* attachRawTracepoint(program, name): raw_tp/<name> (no argument parsing). */
static napi_value attach_raw_tp(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128], tp[128], what[200];
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	struct bpf_link *bl;

	if (!o || !need_loaded(env, o, true, "attach"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))) ||
	    !pb_arg_string(env, argv[1], "raw tracepoint name", tp, sizeof(tp)))
		return NULL;
	snprintf(what, sizeof(what), "raw tracepoint %s", tp);
	pb_libbpf_log_reset();
	bl = bpf_program__attach_raw_tracepoint(p, tp);
	if (!bl) {
		pb_throw_errno(env, errno, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

/* attachTrace(program): tp_btf, fentry, fexit: the target was fixed at load. */
static napi_value attach_trace(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	char name[128], what[300];
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	struct bpf_link *bl;

	if (!o || !need_loaded(env, o, true, "attach"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))))
		return NULL;
	snprintf(what, sizeof(what), "%s program %s", bpf_program__section_name(p), name);
	pb_libbpf_log_reset();
	bl = bpf_program__attach_trace(p);
	if (!bl) {
		pb_throw_errno(env, errno, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

/* attachKprobe(program, { function, retprobe? }) */
static napi_value attach_kprobe(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[128], fn[128], what[200];
	bool ret;
	pb_object *o = this_object(env, info, &argc, argv);
	struct bpf_program *p;
	struct bpf_link *bl;

	if (!o || !need_loaded(env, o, true, "attach"))
		return NULL;
	if (!(p = program(env, o, argv[0], name, sizeof(name))) || argc < 2 || !options(env, argv[1]) ||
	    !opt_string(env, argv[1], "function", fn, sizeof(fn)) || !opt_bool(env, argv[1], "retprobe", &ret))
		return NULL;
	if (!fn[0]) {
		pb_throw_type(env, "options.function must name a kernel function");
		return NULL;
	}
	snprintf(what, sizeof(what), "%s %s", ret ? "kretprobe" : "kprobe", fn);
	pb_libbpf_log_reset();
	bl = bpf_program__attach_kprobe(p, ret, fn);
	if (!bl) {
		pb_throw_errno(env, errno, "attach %s", what);
		return NULL;
	}
	return adopt(env, o, bl, what);
}

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
	napi_value proto;

	if (napi_get_named_property(env, object_ctor, "prototype", &proto) != napi_ok ||
	    napi_define_properties(env, proto, sizeof(props) / sizeof(props[0]), props) != napi_ok) {
		pb_rethrow_napi(env, "define BpfObject attach methods");
		return false;
	}
	return true;
}
