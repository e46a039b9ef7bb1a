/* BpfLink: one attachment. destroy() detaches now; closing the owning object
 * or exiting the process detaches it too (links are fds, never pinned). */
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "common.h"

void pb_link_destroy(pb_link *l)
{
	if (l->link) {
		bpf_link__destroy(l->link);
		l->link = NULL;
	}
}

static void forget(pb_link *l)
{
	pb_object *o = l->owner;

	if (!o)
		return;
	for (size_t i = 0; i < o->nlinks; i++)
		if (o->links[i] == l) {
			o->links[i] = o->links[--o->nlinks];
			break;
		}
	l->owner = NULL;
}

static pb_link *unwrap(napi_env env, napi_callback_info info)
{
	size_t argc = 0;
	napi_value self;
	pb_link *l = NULL;

	if (napi_get_cb_info(env, info, &argc, NULL, &self, NULL) != napi_ok ||
	    napi_unwrap(env, self, (void **)&l) != napi_ok || !l) {
		pb_throw_type(env, "method called on something that is not a BpfLink");
		return NULL;
	}
	return l;
}

static napi_value destroy(napi_env env, napi_callback_info info)
{
	pb_link *l = unwrap(env, info);

	if (l) {
		pb_link_destroy(l);
		forget(l);
	}
	return NULL;
}

static napi_value get_attached(napi_env env, napi_callback_info info)
{
	pb_link *l = unwrap(env, info);
	napi_value b;

	if (!l)
		return NULL;
	napi_get_boolean(env, l->link != NULL, &b);
	return b;
}

static napi_value get_target(napi_env env, napi_callback_info info)
{
	pb_link *l = unwrap(env, info);
	napi_value s;

	if (!l)
		return NULL;
	napi_create_string_utf8(env, l->what, NAPI_AUTO_LENGTH, &s);
	return s;
}

/* The JS wrapper went away. The object still owns the attachment (a dropped
 * handle must not silently detach a running probe): it frees it on close. */
static void finalize(napi_env env, void *data, void *hint)
{
	pb_link *l = data;
	(void)env;
	(void)hint;
	l->wrapped = false;
	if (!l->owner) {
		pb_link_destroy(l);
		free(l);
	}
}

static napi_value construct(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], self;
	napi_valuetype t;
	pb_link *l = NULL;

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
	if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external) {
		pb_throw_type(env, "BpfLink cannot be constructed directly: use BpfObject.attach*()");
		return NULL;
	}
	napi_get_value_external(env, argv[0], (void **)&l);
	PB_CHECK(env, napi_wrap(env, self, l, finalize, NULL, NULL));
	l->wrapped = true;
	return self;
}

napi_value pb_link_define(napi_env env)
{
	napi_property_descriptor props[] = {
		{ "attached", NULL, NULL, get_attached, NULL, NULL, napi_default, NULL },
		{ "target", NULL, NULL, get_target, NULL, NULL, napi_default, NULL },
		{ "destroy", NULL, destroy, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_value ctor;

	PB_CHECK(env, napi_define_class(env, "BpfLink", NAPI_AUTO_LENGTH, construct, NULL,
					sizeof(props) / sizeof(props[0]), props, &ctor));
	return ctor;
}

napi_value pb_link_wrap(napi_env env, pb_link *l)
{
	napi_value ctor, ext, inst;
	pb_addon *a = pb_addon_get(env);

	PB_CHECK(env, napi_get_reference_value(env, a->link_ctor, &ctor));
	PB_CHECK(env, napi_create_external(env, l, NULL, NULL, &ext));
	if (napi_new_instance(env, ctor, 1, &ext, &inst) != napi_ok) {
		pb_link_destroy(l);
		forget(l);
		free(l);
		return NULL;
	}
	return inst;
}
