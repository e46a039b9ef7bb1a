/* BpfObject.detachAsync(): destroys every link of the object on a libuv worker
 * and resolves once the kernel has let go of all of them, while the object, its
 * maps and its ring readers stay open. A run that must be exact awaits it before
 * reading its counters and draining: after it resolves, no program of the object
 * can fire any more, so rows + drops = events seen, with no event in between.
 * The JS thread stays free during the RCU grace periods each detach waits on
 * (50-90 ms); only the run's own reply waits. closeAsync() is for runs whose data
 * no longer matters (an interrupt, a re-run).
 *
 * If the process exits while a detach is pending, the kernel closes the link fds
 * with the process: nothing outlives it either way (contract 3). */
#include <stdlib.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "common.h"

struct pb_detaching {
	struct bpf_link **links;
	size_t nlinks;
	double ms;
	napi_async_work work;
	napi_deferred deferred;
};

static void execute(napi_env env, void *data)
{
	struct pb_detaching *d = data;
	struct timespec t0, t1;

	(void)env;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < d->nlinks; i++)
		bpf_link__destroy(d->links[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	d->nlinks = 0;
}

static void complete(napi_env env, napi_status status, void *data)
{
	struct pb_detaching *d = data;
	napi_value result;

	if (status != napi_ok) /* cancelled before it ran: detach here */
		execute(env, d);
	if (napi_create_object(env, &result) == napi_ok) {
		pb_set_prop_num(env, result, "detachMs", d->ms);
		napi_resolve_deferred(env, d->deferred, result);
	}
	napi_delete_async_work(env, d->work);
	free(d->links);
	free(d);
}

static napi_value detach_async(napi_env env, napi_callback_info info)
{
	napi_value promise, name;
	pb_object *o = pb_this(env, info, NULL, NULL, NULL, PB_CLASS_OBJECT, "detachAsync called");
	struct pb_detaching *d;

	if (!o)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d || (o->nlinks && !(d->links = calloc(o->nlinks, sizeof(*d->links))))) {
		free(d);
		pb_throw_type(env, "detachAsync: out of memory");
		return NULL;
	}
	PB_CHECK(env, napi_create_promise(env, &d->deferred, &promise));
	/* The links change hands now: the object no longer destroys them on close. */
	d->nlinks = pb_links_hand_over(o, d->links);
	napi_create_string_utf8(env, "probebook.detachAsync", NAPI_AUTO_LENGTH, &name);
	if (napi_create_async_work(env, NULL, name, execute, complete, d, &d->work) != napi_ok) {
		execute(env, d); /* no worker: detach here, as destroy() would */
		napi_value result;
		napi_create_object(env, &result);
		pb_set_prop_num(env, result, "detachMs", d->ms);
		napi_resolve_deferred(env, d->deferred, result);
		free(d->links);
		free(d);
		return promise;
	}
	if (napi_queue_async_work(env, d->work) != napi_ok)
		complete(env, napi_generic_failure, d);
	return promise;
}

bool pb_detach_async_init(napi_env env, napi_value object_ctor)
{
	napi_property_descriptor props[] = {
		{ "detachAsync", NULL, detach_async, NULL, NULL, NULL, napi_default, NULL },
	};

	return pb_define_methods(env, object_ctor, props, 1, "define BpfObject.detachAsync");
}
