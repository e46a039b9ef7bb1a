/* Argument checks. The TypeScript layer validates for people; these guard the
 * C code against wrong types, naming the argument concerned. */
#include <stdio.h>
#include <string.h>
#include "common.h"

bool pb_arg_string(napi_env env, napi_value v, const char *what, char *buf, size_t cap)
{
	size_t len = 0;
	napi_valuetype t;

	if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
		pb_throw_type(env, "%s must be a string", what);
		return false;
	}
	napi_get_value_string_utf8(env, v, NULL, 0, &len);
	if (len >= cap) {
		pb_throw_type(env, "%s is too long (%zu bytes, at most %zu)", what, len, cap - 1);
		return false;
	}
	napi_get_value_string_utf8(env, v, buf, cap, &len);
	return true;
}

bool pb_arg_u32(napi_env env, napi_value v, const char *what, uint32_t *out)
{
	napi_valuetype t;
	double d;

	if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
		pb_throw_type(env, "%s must be a number", what);
		return false;
	}
	napi_get_value_double(env, v, &d);
	if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
		pb_throw_type(env, "%s must be an integer in [0, 2^32), got %g", what, d);
		return false;
	}
	*out = (uint32_t)d;
	return true;
}

/* options.<key>: *v is NULL when it is undefined; `what` names it for errors.
 * False only when the member cannot be read (an exception is then pending). */
static bool opt_member(napi_env env, napi_value obj, const char *key, napi_value *v, char *what, size_t cap)
{
	napi_valuetype t;

	if (napi_get_named_property(env, obj, key, v) != napi_ok)
		return false;
	napi_typeof(env, *v, &t);
	if (t == napi_undefined)
		*v = NULL;
	snprintf(what, cap, "options.%s", key);
	return true;
}

bool pb_arg_opt_u32(napi_env env, napi_value obj, const char *key, uint32_t dflt, uint32_t *out)
{
	napi_value v;
	char what[96];

	*out = dflt;
	if (!opt_member(env, obj, key, &v, what, sizeof(what)))
		return false;
	return !v || pb_arg_u32(env, v, what, out);
}

bool pb_arg_opt_string(napi_env env, napi_value obj, const char *key, char *buf, size_t cap)
{
	napi_value v;
	char what[96];

	buf[0] = 0;
	if (!opt_member(env, obj, key, &v, what, sizeof(what)))
		return false;
	return !v || pb_arg_string(env, v, what, buf, cap);
}

bool pb_arg_opt_bool(napi_env env, napi_value obj, const char *key, bool *out)
{
	napi_value v;
	napi_valuetype t;
	char what[96];

	*out = false;
	if (!opt_member(env, obj, key, &v, what, sizeof(what)))
		return false;
	if (!v)
		return true;
	if (napi_typeof(env, v, &t) != napi_ok || t != napi_boolean) {
		pb_throw_type(env, "%s must be a boolean", what);
		return false;
	}
	napi_get_value_bool(env, v, out);
	return true;
}

bool pb_arg_bytes(napi_env env, napi_value v, const char *what, uint8_t **data, size_t *len)
{
	bool is_ta = false;
	napi_typedarray_type type;
	size_t n, off;
	napi_value ab;
	void *p;

	napi_is_typedarray(env, v, &is_ta);
	if (!is_ta || napi_get_typedarray_info(env, v, &type, &n, &p, &ab, &off) != napi_ok ||
	    type != napi_uint8_array) {
		pb_throw_type(env, "%s must be a Uint8Array", what);
		return false;
	}
	*data = p;
	*len = n;
	return true;
}

bool pb_arg_function(napi_env env, napi_value v, const char *what)
{
	napi_valuetype t;

	if (napi_typeof(env, v, &t) != napi_ok || t != napi_function) {
		pb_throw_type(env, "%s must be a function", what);
		return false;
	}
	return true;
}
