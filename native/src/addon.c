/* probebook_bpf: module entry. Registers the classes, the exported functions
 * and an environment clean-up hook that closes every object still open (which
 * stops its readers and detaches its links) when Node.js exits. */
#include <stdlib.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>
#include "common.h"
#include "columns.h"

pb_addon *pb_addon_get(napi_env env)
{
	pb_addon *a = NULL;
	napi_get_instance_data(env, (void **)&a);
	return a;
}

static void on_env_exit(void *arg)
{
	pb_addon *a = arg;

	pb_close_async_finish_all(a); /* detaches handed to workers finish first */
	while (a->objects)
		pb_object_close(a->objects); /* unlinks itself */
}

static void free_addon(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	free(data);
}

static napi_value num_possible_cpus(napi_env env, napi_callback_info info)
{
	napi_value r;
	int n = libbpf_num_possible_cpus();
	(void)info;
	if (n < 0) {
		pb_throw_errno(env, -n, "count possible CPUs");
		return NULL;
	}
	napi_create_int32(env, n, &r);
	return r;
}

static napi_value init(napi_env env, napi_value exports)
{
	pb_addon *a = calloc(1, sizeof(*a));
	napi_value object_ctor, link_ctor, reader_ctor, fn, cap;
	char ver[32];

	if (!a) {
		napi_throw_error(env, "ENOMEM", "probebook_bpf: out of memory");
		return NULL;
	}
	PB_CHECK(env, napi_set_instance_data(env, a, free_addon, NULL));
	pb_install_libbpf_print();

	if (!(object_ctor = pb_object_define(env)) || !(link_ctor = pb_link_define(env)) ||
	    !(reader_ctor = pb_reader_define(env)))
		return NULL;
	PB_CHECK(env, napi_create_reference(env, object_ctor, 1, &a->object_ctor));
	PB_CHECK(env, napi_create_reference(env, link_ctor, 1, &a->link_ctor));
	PB_CHECK(env, napi_create_reference(env, reader_ctor, 1, &a->reader_ctor));
	PB_CHECK(env, napi_add_env_cleanup_hook(env, on_env_exit, a));

	PB_CHECK(env, napi_create_function(env, "openObject", NAPI_AUTO_LENGTH, pb_open_object, NULL, &fn));
	PB_CHECK(env, napi_set_named_property(env, exports, "openObject", fn));
	PB_CHECK(env, napi_create_function(env, "numPossibleCpus", NAPI_AUTO_LENGTH, num_possible_cpus, NULL, &fn));
	PB_CHECK(env, napi_set_named_property(env, exports, "numPossibleCpus", fn));
	PB_CHECK(env, napi_create_function(env, "releaseColumns", NAPI_AUTO_LENGTH, pb_release_columns, NULL, &fn));
	PB_CHECK(env, napi_set_named_property(env, exports, "releaseColumns", fn));
	PB_CHECK(env, napi_set_named_property(env, exports, "BpfObject", object_ctor));
	PB_CHECK(env, napi_set_named_property(env, exports, "BpfLink", link_ctor));
	PB_CHECK(env, napi_set_named_property(env, exports, "RingReader", reader_ctor));
	if (!pb_features_init(env, exports) || !pb_process_exit_init(env, exports))
		return NULL;
	if (!pb_attach_more_init(env, object_ctor))
		return NULL;
	if (!pb_core_btf_init(env, object_ctor) || !pb_close_async_init(env, object_ctor) ||
	    !pb_detach_async_init(env, object_ctor) || !pb_run_switch_init(env, exports, object_ctor))
		return NULL;

	PB_CHECK(env, napi_create_object(env, &cap));
	snprintf(ver, sizeof(ver), "%d.%d", LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION);
	pb_set_prop_str(env, cap, "libbpf", ver);
	/* USDT attach needs libbpf's usdt support (libbpf >= 0.8): a build-time fact. */
	napi_value usdt;
	napi_get_boolean(env, LIBBPF_MAJOR_VERSION > 0 || LIBBPF_MINOR_VERSION >= 8, &usdt);
	napi_set_named_property(env, cap, "usdt", usdt);
	PB_CHECK(env, napi_set_named_property(env, exports, "capability", cap));
	return exports;
}

NAPI_MODULE_INIT()
{
	return init(env, exports);
}
