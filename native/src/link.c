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
	return pb_this(env, info, NULL, NULL, NULL, PB_CLASS_LINK, "method called");
}

size_t pb_links_hand_over(pb_object *o, struct bpf_link **out)
{
	size_t n = 0;

	for (size_t i = 0; i < o->nlinks; i++) {
		pb_link *l = o->links[i];
		if (l->link)
			out[n++] = l->link;
		l->link = NULL; /* its BpfLink now reads attached = false */
		l->owner = NULL;
		if (!l->wrapped)
			free(l);
	}
	o->nlinks = 0;
	return n;
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

/* new BpfLink(external): only pb_link_wrap() constructs these, and frees l if this fails. */
static napi_value construct(napi_env env, napi_callback_info info)
{
	napi_value self;
	pb_link *l = pb_construct_arg(env, info, &self, "BpfLink cannot be constructed directly: use BpfObject.attach*()");

	if (!l)
		return NULL;
	if (!pb_wrap(env, self, PB_CLASS_LINK, l, finalize)) {
		pb_rethrow_napi(env, "wrap a BpfLink");
		return NULL;
	}
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
	napi_value inst;

	if (pb_instantiate(env, pb_addon_get(env)->link_ctor, l, &inst) != napi_ok) {
		pb_link_destroy(l); /* no wrapper holds it: detach now rather than leave it unreachable */
		forget(l);
		free(l);
		pb_rethrow_napi(env, "create the BpfLink");
		return NULL;
	}
	return inst;
}
