/* Node-style errors (message, errno, code) and capture of libbpf's own
 * warnings, which often name the real cause ("failed to find BTF for ...").
 * Errors say what was being done: "attach tracepoint a:b: ENOENT (...)". */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"

/* libbpf messages of the current operation on this thread (loads run on the JS
 * thread, ring polling on reader threads: thread-local keeps them apart). */
static __thread char log_buf[16384];
static __thread size_t log_len;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (log_len < sizeof(log_buf) - 1) {
		int n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);
		if (n > 0)
			log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n : sizeof(log_buf) - 1 - log_len;
	}
	return 0;
}

void pb_install_libbpf_print(void)
{
	libbpf_set_print(on_libbpf_print);
	/* Fail instead of returning error-encoded pointers (libbpf 1.0 mode is the default). */
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
}

void pb_libbpf_log_reset(void)
{
	log_len = 0;
	log_buf[0] = 0;
}

const char *pb_libbpf_log(void)
{
	return log_buf;
}

const char *pb_errno_code(int err)
{
	const char *name = strerrorname_np(err);
	return name ? name : "EUNKNOWN";
}

void pb_set_prop_str(napi_env env, napi_value o, const char *k, const char *v)
{
	napi_value s;
	if (napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s) == napi_ok)
		napi_set_named_property(env, o, k, s);
}

void pb_set_prop_num(napi_env env, napi_value o, const char *k, double v)
{
	napi_value n;
	if (napi_create_double(env, v, &n) == napi_ok)
		napi_set_named_property(env, o, k, n);
}

static napi_value make_error_v(napi_env env, int err, const char *fmt, va_list ap)
{
	char what[1024], msg[1400];
	napi_value m, e;

	vsnprintf(what, sizeof(what), fmt, ap);
	if (err < 0)
		err = -err;
	snprintf(msg, sizeof(msg), "%s: %s (%s)", what, pb_errno_code(err), strerror(err));
	napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
	napi_create_error(env, NULL, m, &e);
	pb_set_prop_num(env, e, "errno", -err); /* negative, as in Node's own errors */
	pb_set_prop_str(env, e, "code", pb_errno_code(err));
	pb_set_prop_str(env, e, "operation", what);
	if (log_len)
		pb_set_prop_str(env, e, "libbpfLog", log_buf);
	return e;
}

napi_value pb_make_error(napi_env env, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	napi_value e = make_error_v(env, err, fmt, ap);
	va_end(ap);
	return e;
}

void pb_throw_errno(napi_env env, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	napi_value e = make_error_v(env, err, fmt, ap);
	va_end(ap);
	napi_throw(env, e);
}

void pb_throw_type(napi_env env, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
}

void pb_throw_state(napi_env env, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	napi_throw_error(env, code, msg);
}

void pb_rethrow_napi(napi_env env, const char *what)
{
	bool pending = false;
	const napi_extended_error_info *info = NULL;

	napi_is_exception_pending(env, &pending);
	if (pending)
		return;
	napi_get_last_error_info(env, &info);
	pb_throw_state(env, "ERR_NAPI", "internal N-API failure in %s: %s", what,
		       info && info->error_message ? info->error_message : "unknown");
}
