/* The JS side of the addon's native structs (BpfObject, BpfLink, RingReader),
 * in one place: every class is built from an external by the addon itself,
 * finds its struct again from `this`, and gets methods added from other files.
 * Each wrapper is type-tagged: a method borrowed onto another class's object
 * (BpfLink.prototype.destroy.call(obj)) then throws a TypeError instead of
 * reading one struct as another. */
#include "common.h"

static const napi_type_tag tags[] = {
	[PB_CLASS_OBJECT] = { 0x70620000626a6563ULL, 0x0000000000000001ULL },
	[PB_CLASS_LINK] = { 0x706200006c696e6bULL, 0x0000000000000002ULL },
	[PB_CLASS_READER] = { 0x7062000072656164ULL, 0x0000000000000003ULL },
};
static const char *const class_names[] = {
	[PB_CLASS_OBJECT] = "BpfObject",
	[PB_CLASS_LINK] = "BpfLink",
	[PB_CLASS_READER] = "RingReader",
};

void *pb_construct_arg(napi_env env, napi_callback_info info, napi_value *self, const char *usage)
{
	size_t argc = 1;
	napi_value argv[1];
	napi_valuetype t;
	void *p = NULL;

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, self, NULL));
	if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external) {
		pb_throw_type(env, "%s", usage);
		return NULL;
	}
	napi_get_value_external(env, argv[0], &p);
	return p;
}

/* Tag first: when this fails, p is not wrapped and stays the caller's to free. */
bool pb_wrap(napi_env env, napi_value self, pb_class cls, void *p, napi_finalize finalize)
{
	return napi_type_tag_object(env, self, &tags[cls]) == napi_ok &&
	       napi_wrap(env, self, p, finalize, NULL, NULL) == napi_ok;
}

napi_status pb_instantiate(napi_env env, napi_ref ctor_ref, void *p, napi_value *inst)
{
	napi_value ctor, ext;
	napi_status s;

	if ((s = napi_get_reference_value(env, ctor_ref, &ctor)) != napi_ok ||
	    (s = napi_create_external(env, p, NULL, NULL, &ext)) != napi_ok)
		return s;
	return napi_new_instance(env, ctor, 1, &ext, inst);
}

void *pb_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *self,
	      pb_class cls, const char *misuse)
{
	napi_value me;
	bool tagged = false;
	void *p = NULL;

	if (napi_get_cb_info(env, info, argc, argv, &me, NULL) != napi_ok ||
	    napi_check_object_type_tag(env, me, &tags[cls], &tagged) != napi_ok || !tagged ||
	    napi_unwrap(env, me, &p) != napi_ok || !p) {
		pb_throw_type(env, "%s on something that is not a %s", misuse, class_names[cls]);
		return NULL;
	}
	if (self)
		*self = me;
	return p;
}

bool pb_define_methods(napi_env env, napi_value ctor, const napi_property_descriptor *props, size_t n,
		       const char *what)
{
	napi_value proto;

	if (napi_get_named_property(env, ctor, "prototype", &proto) != napi_ok ||
	    napi_define_properties(env, proto, n, props) != napi_ok) {
		pb_rethrow_napi(env, what);
		return false;
	}
	return true;
}
