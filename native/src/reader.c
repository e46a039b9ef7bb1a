/* RingReader: drains a BPF ring buffer on its own thread (never the JS
 * thread), decodes records into column batches and hands each batch to JS
 * through a thread-safe function. stop() ends polling, does a final drain and
 * resolves once every batch has been delivered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "columns.h"

typedef struct pb_reader {
	pb_object *owner;      /* NULL once halted */
	napi_ref owner_ref;    /* keeps the BpfObject wrapper alive while reading */
	struct ring_buffer *rb;
	pthread_t thread;
	bool joined;
	atomic_bool stop;
	uint32_t poll_ms, batch_rows, record_size;
	uint32_t min_size;     /* record_size, or less with a bytes column (variable-length records) */
	pb_col *cols;
	size_t ncols;
	pb_batch *cur; /* only the reader thread touches it */
	napi_threadsafe_function tsfn;
	atomic_uint_fast64_t records, malformed, batches;
	int error;             /* errno of a failed poll (written by the thread before it exits) */
	int wake_fd;           /* eventfd in the ring's epoll set: stop() ends the poll now, not after pollMs */
	bool tsfn_done, wrapper_gone;
	napi_deferred stop_deferred;
	napi_ref stop_promise;
	napi_ref cb_error;     /* first exception thrown by onBatch */
	char map[64];
} pb_reader;

static void flush(pb_reader *r)
{
	pb_batch *b = r->cur;

	if (!b || !b->rows)
		return;
	r->cur = NULL;
	atomic_fetch_add(&r->batches, 1);
	if (napi_call_threadsafe_function(r->tsfn, b, napi_tsfn_nonblocking) != napi_ok)
		pb_batch_free(b); /* the environment is closing: nobody to deliver to */
}

static int on_record(void *ctx, void *data, size_t size)
{
	pb_reader *r = ctx;

	if (size < r->min_size || size > r->record_size) {
		atomic_fetch_add(&r->malformed, 1);
		return 0;
	}
	if (!r->cur && !(r->cur = pb_batch_new(r->cols, r->ncols, r->batch_rows)))
		return -ENOMEM;
	if (!pb_batch_append(r->cur, r->cols, data, size))
		return -ENOMEM;
	atomic_fetch_add(&r->records, 1);
	if (r->cur->rows >= r->batch_rows)
		flush(r);
	return 0;
}

static void *run(void *arg)
{
	pb_reader *r = arg;

	while (!atomic_load(&r->stop)) {
		/* Records submitted with BPF_RB_NO_WAKEUP raise no epoll event, so the
		 * timeout is what bounds their latency; consume() picks them up. */
		int n = ring_buffer__poll(r->rb, (int)r->poll_ms);
		if (n >= 0 || n == -EINTR)
			n = ring_buffer__consume(r->rb);
		if (n < 0 && n != -EINTR) {
			r->error = -n;
			break;
		}
		flush(r);
	}
	if (!r->error) {
		int n = ring_buffer__consume(r->rb); /* final drain */
		if (n < 0)
			r->error = -n;
	}
	flush(r);
	pb_batch_free(r->cur);
	r->cur = NULL;
	ring_buffer__free(r->rb);
	r->rb = NULL;
	napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
	return NULL;
}

/* Interrupts the thread's epoll_wait so stop() does not wait out the poll timeout. */
static void wake(pb_reader *r)
{
	uint64_t one = 1;
	if (r->wake_fd >= 0 && write(r->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the poll is awake already */
	}
}

static void maybe_free(pb_reader *r)
{
	if (r->tsfn_done && r->wrapper_gone) {
		if (r->wake_fd >= 0)
			close(r->wake_fd);
		free(r->cols);
		free(r);
	}
}

static void join(pb_reader *r)
{
	if (!r->joined) {
		pthread_join(r->thread, NULL);
		r->joined = true;
	}
}

/* Synchronous stop used by BpfObject.close() and the exit hook. */
void pb_reader_halt(pb_reader *r)
{
	atomic_store(&r->stop, true);
	wake(r);
	join(r);
	if (r->owner) {
		pb_object_forget_reader(r->owner, r);
		r->owner = NULL;
	}
}

static napi_value stats_object(napi_env env, pb_reader *r)
{
	napi_value o;

	if (napi_create_object(env, &o) != napi_ok)
		return NULL;
	pb_set_prop_num(env, o, "records", (double)atomic_load(&r->records));
	pb_set_prop_num(env, o, "malformed", (double)atomic_load(&r->malformed));
	pb_set_prop_num(env, o, "batches", (double)atomic_load(&r->batches));
	return o;
}

static void settle(napi_env env, pb_reader *r)
{
	napi_value v;

	if (!r->stop_deferred)
		return;
	if (r->cb_error) {
		napi_get_reference_value(env, r->cb_error, &v);
		napi_reject_deferred(env, r->stop_deferred, v);
	} else if (r->error) {
		napi_reject_deferred(env, r->stop_deferred,
				     pb_make_error(env, r->error, "read ring buffer %s", r->map));
	} else {
		napi_resolve_deferred(env, r->stop_deferred, stats_object(env, r));
	}
	r->stop_deferred = NULL;
}

/* Runs on the JS thread for each batch, in order. */
static void call_js(napi_env env, napi_value cb, void *context, void *data)
{
	pb_reader *r = context;
	pb_batch *b = data;
	napi_value batch, undef, exc;

	if (env && cb && !r->cb_error) {
		batch = pb_batch_to_js(env, b, r->cols);
		napi_get_undefined(env, &undef);
		if (!batch || napi_call_function(env, undef, cb, 1, &batch, NULL) != napi_ok) {
			bool pending = false;
			napi_is_exception_pending(env, &pending);
			if (pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok)
				napi_create_reference(env, exc, 1, &r->cb_error); /* reported by stop() */
		}
	}
	pb_batch_free(b);
}

/* After the thread released the function and every queued batch ran. */
static void tsfn_finalize(napi_env env, void *data, void *hint)
{
	pb_reader *r = data;
	(void)hint;

	join(r);
	if (r->owner) {
		pb_object_forget_reader(r->owner, r);
		r->owner = NULL;
	}
	r->tsfn_done = true;
	settle(env, r);
	if (r->owner_ref) {
		napi_delete_reference(env, r->owner_ref);
		r->owner_ref = NULL;
	}
	if (r->stop_promise) {
		napi_delete_reference(env, r->stop_promise);
		r->stop_promise = NULL;
	}
	if (r->cb_error) {
		napi_delete_reference(env, r->cb_error);
		r->cb_error = NULL;
	}
	maybe_free(r);
}

static pb_reader *unwrap(napi_env env, napi_callback_info info)
{
	return pb_this(env, info, NULL, NULL, NULL, PB_CLASS_READER, "method called");
}

/* stop() -> Promise<{records, malformed, batches}>: final drain included. */
static napi_value stop(napi_env env, napi_callback_info info)
{
	pb_reader *r = unwrap(env, info);
	napi_value promise;

	if (!r)
		return NULL;
	if (r->stop_promise) { /* stop() twice: the same promise */
		napi_get_reference_value(env, r->stop_promise, &promise);
		return promise;
	}
	PB_CHECK(env, napi_create_promise(env, &r->stop_deferred, &promise));
	napi_create_reference(env, promise, 1, &r->stop_promise);
	atomic_store(&r->stop, true);
	wake(r);
	if (r->tsfn_done) /* already finished (closed object, or a poll error) */
		settle(env, r);
	return promise;
}

static napi_value stats(napi_env env, napi_callback_info info)
{
	pb_reader *r = unwrap(env, info);
	return r ? stats_object(env, r) : NULL;
}

static napi_value get_running(napi_env env, napi_callback_info info)
{
	pb_reader *r = unwrap(env, info);
	napi_value b;

	if (!r)
		return NULL;
	napi_get_boolean(env, !r->tsfn_done && !atomic_load(&r->stop), &b);
	return b;
}

static void wrapper_finalize(napi_env env, void *data, void *hint)
{
	pb_reader *r = data;
	(void)env;
	(void)hint;
	r->wrapper_gone = true;
	maybe_free(r);
}

/* new RingReader(external): only pb_reader_open() constructs these, and frees r if this fails. */
static napi_value construct(napi_env env, napi_callback_info info)
{
	napi_value self;
	pb_reader *r = pb_construct_arg(env, info, &self,
					"RingReader cannot be constructed directly: use BpfObject.openRingReader()");

	if (!r)
		return NULL;
	if (!pb_wrap(env, self, PB_CLASS_READER, r, wrapper_finalize)) {
		pb_rethrow_napi(env, "wrap a RingReader");
		return NULL;
	}
	return self;
}

napi_value pb_reader_define(napi_env env)
{
	napi_property_descriptor props[] = {
		{ "running", NULL, NULL, get_running, NULL, NULL, napi_default, NULL },
		{ "stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL },
		{ "stop", NULL, stop, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_value ctor;

	PB_CHECK(env, napi_define_class(env, "RingReader", NAPI_AUTO_LENGTH, construct, NULL,
					sizeof(props) / sizeof(props[0]), props, &ctor));
	return ctor;
}

/* openRingReader(map, layout, {recordSize, pollMs?, batchRows?}, onBatch) */
napi_value pb_reader_open(napi_env env, pb_object *o, napi_value this_obj, napi_value *argv, size_t argc)
{
	pb_addon *a = pb_addon_get(env);
	pb_reader *r;
	struct bpf_map *m;
	napi_value inst, name;
	napi_valuetype t;
	int err;

	if (argc < 4) {
		pb_throw_type(env, "openRingReader(map, layout, options, onBatch) needs 4 arguments");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		pb_throw_errno(env, ENOMEM, "open ring reader");
		return NULL;
	}
	r->wake_fd = -1;
	if (!pb_arg_string(env, argv[0], "map name", r->map, sizeof(r->map)))
		goto fail;
	if (napi_typeof(env, argv[2], &t) != napi_ok || t != napi_object) {
		pb_throw_type(env, "options must be {recordSize, pollMs?, batchRows?}");
		goto fail;
	}
	if (!pb_arg_opt_u32(env, argv[2], "recordSize", 0, &r->record_size) ||
	    !pb_arg_opt_u32(env, argv[2], "pollMs", 20, &r->poll_ms) ||
	    !pb_arg_opt_u32(env, argv[2], "batchRows", 4096, &r->batch_rows))
		goto fail;
	if (!r->record_size || !r->batch_rows || r->poll_ms > 10000) {
		pb_throw_type(env, "options: recordSize and batchRows must be > 0, pollMs <= 10000");
		goto fail;
	}
	if (!pb_arg_function(env, argv[3], "onBatch") ||
	    !pb_layout_parse(env, argv[1], r->record_size, &r->cols, &r->ncols))
		goto fail;
	r->min_size = pb_layout_min_size(r->cols, r->ncols, r->record_size);
	m = bpf_object__find_map_by_name(o->obj, r->map);
	if (!m || bpf_map__type(m) != BPF_MAP_TYPE_RINGBUF) {
		pb_throw_state(env, "ERR_BPF_NO_MAP", "%s has no ring buffer map named \"%s\"", o->path, r->map);
		goto fail;
	}
	pb_libbpf_log_reset();
	r->rb = ring_buffer__new(bpf_map__fd(m), on_record, r, NULL);
	if (!r->rb) {
		pb_throw_errno(env, errno, "open ring buffer %s", r->map);
		goto fail;
	}
	/* The wake eventfd goes into libbpf's epoll set tagged as ring 0: when it
	 * fires, ring_buffer__poll() just consumes ring 0 once more (harmless) and
	 * returns. Without it, stop() waits up to pollMs for the thread. */
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->wake_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = 0 };
		if (epoll_ctl(ring_buffer__epoll_fd(r->rb), EPOLL_CTL_ADD, r->wake_fd, &ev)) {
			close(r->wake_fd);
			r->wake_fd = -1;
		}
	}
	if (o->nreaders == o->readers_cap) {
		void *p = realloc(o->readers, (o->readers_cap * 2 + 2) * sizeof(*o->readers));
		if (!p) {
			pb_throw_errno(env, ENOMEM, "open ring reader");
			goto fail;
		}
		o->readers = p;
		o->readers_cap = o->readers_cap * 2 + 2;
	}
	napi_create_string_utf8(env, "probebook.ringReader", NAPI_AUTO_LENGTH, &name);
	if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, r, tsfn_finalize, r, call_js,
					    &r->tsfn) != napi_ok) {
		pb_rethrow_napi(env, "create the ring reader's thread-safe function");
		goto fail;
	}
	if (pb_instantiate(env, a->reader_ctor, r, &inst) != napi_ok) {
		/* no thread yet: release the function; its finalizer frees r once the wrapper is gone */
		r->wrapper_gone = true;
		r->joined = true;
		ring_buffer__free(r->rb);
		r->rb = NULL;
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		pb_rethrow_napi(env, "create the RingReader");
		return NULL;
	}
	napi_create_reference(env, this_obj, 1, &r->owner_ref);
	r->owner = o;
	o->readers[o->nreaders++] = r;
	err = pthread_create(&r->thread, NULL, run, r);
	if (err) {
		r->joined = true;
		r->owner = NULL;
		o->nreaders--;
		ring_buffer__free(r->rb);
		r->rb = NULL;
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		pb_throw_errno(env, err, "start the ring reader thread for %s", r->map);
		return NULL;
	}
	return inst;
fail:
	if (r->rb)
		ring_buffer__free(r->rb);
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	free(r->cols);
	free(r);
	return NULL;
}
