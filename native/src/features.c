/* Feature probes (contract 5: ask the host, not a table of versions) and
 * run-time statistics. Types are named as libbpf names them ("tracepoint",
 * "ringbuf", ...), so the TypeScript table can list them as plain strings. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"

/* 64 is above every enum bpf_prog_type / bpf_map_type value libbpf 1.1 names. */
#define TYPE_SCAN 64

static int prog_type_by_name(const char *s)
{
	for (int t = 0; t < TYPE_SCAN; t++) {
		const char *n = libbpf_bpf_prog_type_str((enum bpf_prog_type)t);
		if (n && !strcmp(n, s))
			return t;
	}
	return -1;
}

static int map_type_by_name(const char *s)
{
	for (int t = 0; t < TYPE_SCAN; t++) {
		const char *n = libbpf_bpf_map_type_str((enum bpf_map_type)t);
		if (n && !strcmp(n, s))
			return t;
	}
	return -1;
}

static napi_value result(napi_env env, int r, const char *what)
{
	napi_value b;

	if (r < 0) { /* inconclusive: the probe itself failed */
		pb_throw_errno(env, -r, "probe %s", what);
		return NULL;
	}
	napi_get_boolean(env, r == 1, &b);
	return b;
}

/* probeProgramType("tracepoint") -> boolean */
static napi_value probe_prog_type(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	char name[64], what[96];
	int t;

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !pb_arg_string(env, argv[0], "program type", name, sizeof(name)))
		return NULL;
	if ((t = prog_type_by_name(name)) < 0) {
		pb_throw_type(env, "unknown program type \"%s\" (use libbpf's names, e.g. \"tracepoint\")", name);
		return NULL;
	}
	snprintf(what, sizeof(what), "program type %s", name);
	pb_libbpf_log_reset();
	return result(env, libbpf_probe_bpf_prog_type((enum bpf_prog_type)t, NULL), what);
}

/* probeMapType("ringbuf") -> boolean */
static napi_value probe_map_type(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	char name[64], what[96];
	int t;

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !pb_arg_string(env, argv[0], "map type", name, sizeof(name)))
		return NULL;
	if ((t = map_type_by_name(name)) < 0) {
		pb_throw_type(env, "unknown map type \"%s\" (use libbpf's names, e.g. \"ringbuf\")", name);
		return NULL;
	}
	snprintf(what, sizeof(what), "map type %s", name);
	pb_libbpf_log_reset();
	return result(env, libbpf_probe_bpf_map_type((enum bpf_map_type)t, NULL), what);
}

/* enableRunStats() -> { close() }: kernel.bpf_stats_enabled while open, so
 * programInfo() reports runTimeNs/runCount. */
static napi_value stats_close(napi_env env, napi_callback_info info)
{
	napi_value self, fdv;
	int32_t fd = -1;

	PB_CHECK(env, napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
	if (napi_get_named_property(env, self, "fd", &fdv) == napi_ok &&
	    napi_get_value_int32(env, fdv, &fd) == napi_ok && fd >= 0) {
		close(fd);
		pb_set_prop_num(env, self, "fd", -1);
	}
	return NULL;
}

static napi_value enable_run_stats(napi_env env, napi_callback_info info)
{
	napi_value o, fn;
	int fd;
	(void)info;

	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		pb_throw_errno(env, errno, "enable BPF run-time statistics");
		return NULL;
	}
	napi_create_object(env, &o);
	pb_set_prop_num(env, o, "fd", fd);
	napi_create_function(env, "close", NAPI_AUTO_LENGTH, stats_close, NULL, &fn);
	napi_set_named_property(env, o, "close", fn);
	return o;
}

napi_value pb_features_init(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "probeProgramType", NULL, probe_prog_type, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "probeMapType", NULL, probe_map_type, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "enableRunStats", NULL, enable_run_stats, NULL, NULL, NULL, napi_enumerable, NULL },
	};
	PB_CHECK(env, napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
	return exports;
}
