/* Which BTF libbpf relocates CO-RE accesses against. scripts/gen-min-btf.sh
 * writes bpf/build/<t>.min.btf next to each <t>.bpf.o: the handful of kernel
 * types the object's relocations touch. Opening with it as btf_custom_path
 * spares libbpf parsing all of /sys/kernel/btf/vmlinux (7-20 ms) on every load.
 * Programs that attach by BTF id (tp_btf, fentry) still make libbpf read
 * vmlinux for the attach target, which is what keeps them correct. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "common.h"

static bool newer_or_same(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec);
}

bool pb_core_btf_for(const char *obj_path, char *out, size_t cap)
{
	static const char suffix[] = ".bpf.o";
	const char *mode = getenv("PROBEBOOK_CORE_BTF"); /* "vmlinux": measure without it */
	size_t n = strlen(obj_path), sl = sizeof(suffix) - 1;
	struct stat so, sb, sv;

	out[0] = 0;
	if ((mode && !strcmp(mode, "vmlinux")) || n <= sl || strcmp(obj_path + n - sl, suffix))
		return false;
	if ((size_t)snprintf(out, cap, "%.*s.min.btf", (int)(n - sl), obj_path) >= cap)
		goto none;
	/* A min.btf older than its object (rebuilt since) or than the running
	 * kernel's BTF could lack a type or hold stale offsets: use vmlinux then. */
	if (stat(out, &sb) || stat(obj_path, &so) || !newer_or_same(&sb, &so))
		goto none;
	if (!stat("/sys/kernel/btf/vmlinux", &sv) && !newer_or_same(&sb, &sv))
		goto none;
	return true;
none:
	out[0] = 0;
	return false;
}

/* BpfObject.coreBtf: the min.btf in use, or null (the kernel's own BTF). */
static napi_value get_core_btf(napi_env env, napi_callback_info info)
{
	napi_value v;
	pb_object *o = pb_this(env, info, NULL, NULL, NULL, PB_CLASS_OBJECT, "coreBtf read");

	if (!o)
		return NULL;
	if (o->core_btf[0])
		napi_create_string_utf8(env, o->core_btf, NAPI_AUTO_LENGTH, &v);
	else
		napi_get_null(env, &v);
	return v;
}

bool pb_core_btf_init(napi_env env, napi_value object_ctor)
{
	napi_property_descriptor props[] = {
		{ "coreBtf", NULL, NULL, get_core_btf, NULL, NULL, napi_default, NULL },
	};

	return pb_define_methods(env, object_ctor, props, 1, "define BpfObject.coreBtf");
}
