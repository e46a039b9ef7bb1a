/* BpfObject.closeAsync(): the object is closed for JS at once (state "closed",
 * readers halted, off the addon's list) but the kernel side - bpf_link__destroy
 * of every link, then bpf_object__close - runs on a libuv worker thread. Each
 * tracepoint link waits on three RCU grace periods as it goes (50-90 ms), which
 * would otherwise block the JS thread. Until the worker is done the closing
 * stays on the addon's list; the exit hook finishes every one still pending
 * (itself if the worker has not started, else by waiting for it), so nothing
 * outlives the process either way. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "common.h"

enum { PENDING, CLOSING, CLOSED };

struct pb_closing {
	struct bpf_object *obj;
	struct bpf_link **links;
	size_t nlinks;
	atomic_int state; /* PENDING -> CLOSING (whoever claims it) -> CLOSED */
	double ms;        /* time the kernel took to release it all */
	napi_async_work work;
	napi_deferred deferred;
	pb_addon *addon;
	struct pb_closing *next, *prev;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t closed = PTHREAD_COND_INITIALIZER;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs once per closing, on whichever thread claimed it. */
static void release(struct pb_closing *c)
{
	double t0 = now_ms();

	for (size_t i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	bpf_object__close(c->obj);
	c->ms = now_ms() - t0;
	pthread_mutex_lock(&lock);
	atomic_store(&c->state, CLOSED);
	pthread_cond_broadcast(&closed);
	pthread_mutex_unlock(&lock);
}

static bool claim(struct pb_closing *c)
{
	int expected = PENDING;
	return atomic_compare_exchange_strong(&c->state, &expected, CLOSING);
}

static void execute(napi_env env, void *data)
{
	(void)env;
	if (claim(data))
		release(data);
}

static void unlist(struct pb_closing *c)
{
	if (!c->addon)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->addon->closing = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->addon = NULL;
}

static void complete(napi_env env, napi_status status, void *data)
{
	struct pb_closing *c = data;
	napi_value result;

	(void)status; /* cancelled or not: claim() tells whether it still has to be done */
	if (claim(c))
		release(c);
	unlist(c);
	if (napi_create_object(env, &result) == napi_ok) {
		pb_set_prop_num(env, result, "detachMs", c->ms);
		napi_resolve_deferred(env, c->deferred, result);
	}
	napi_delete_async_work(env, c->work);
	free(c->links);
	free(c);
}

/* Exit hook: every closing still on the list is released before returning. */
void pb_close_async_finish_all(pb_addon *a)
{
	for (struct pb_closing *c = a->closing; c; c = c->next) {
		if (claim(c)) {
			release(c);
			continue;
		}
		pthread_mutex_lock(&lock);
		while (atomic_load(&c->state) != CLOSED)
			pthread_cond_wait(&closed, &lock);
		pthread_mutex_unlock(&lock);
	}
	/* complete() may never run now: the items stay allocated for it (process exit). */
}

/* closeAsync() -> Promise<{detachMs}>: like close(), the kernel part off the JS thread. */
static napi_value close_async(napi_env env, napi_callback_info info)
{
	napi_value promise, name, done;
	pb_object *o = pb_this(env, info, NULL, NULL, NULL, PB_CLASS_OBJECT, "closeAsync called");
	struct pb_closing *c;
	napi_deferred deferred;
	pb_addon *a;

	if (!o)
		return NULL;
	PB_CHECK(env, napi_create_promise(env, &deferred, &promise));
	if (!o->obj) { /* already closed: nothing to wait for */
		napi_create_object(env, &done);
		pb_set_prop_num(env, done, "detachMs", 0);
		napi_resolve_deferred(env, deferred, done);
		return promise;
	}
	c = calloc(1, sizeof(*c));
	if (c && o->nlinks && !(c->links = calloc(o->nlinks, sizeof(*c->links)))) {
		free(c);
		c = NULL;
	}
	napi_create_string_utf8(env, "probebook.closeAsync", NAPI_AUTO_LENGTH, &name);
	if (!c || napi_create_async_work(env, NULL, name, execute, complete, c, &c->work) != napi_ok) {
		/* no worker to hand it to: close here, as close() would */
		if (c)
			free(c->links);
		free(c);
		pb_object_close(o);
		napi_create_object(env, &done);
		pb_set_prop_num(env, done, "detachMs", -1);
		napi_resolve_deferred(env, deferred, done);
		return promise;
	}
	c->deferred = deferred;
	/* The JS-side part of close(): readers stop (final drain), links and the
	 * object change hands, the object leaves the addon's list of open objects. */
	while (o->nreaders > 0)
		pb_reader_halt(o->readers[o->nreaders - 1]);
	c->nlinks = pb_links_hand_over(o, c->links);
	c->obj = o->obj;
	o->obj = NULL;
	o->loaded = false;
	if ((a = pb_object_unlist(o))) { /* and joins the list of closings instead */
		c->addon = a;
		c->next = a->closing;
		if (a->closing)
			a->closing->prev = c;
		a->closing = c;
	}
	if (napi_queue_async_work(env, c->work) != napi_ok)
		complete(env, napi_generic_failure, c); /* releases here and resolves */
	return promise;
}

bool pb_close_async_init(napi_env env, napi_value object_ctor)
{
	napi_property_descriptor props[] = {
		{ "closeAsync", NULL, close_async, NULL, NULL, NULL, napi_default, NULL },
	};

	return pb_define_methods(env, object_ctor, props, 1, "define BpfObject.closeAsync");
}
