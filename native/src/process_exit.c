/* watchExit(pid, onExit): a callback when another process exits.
 *
 * Why here: Node.js can tell a process only about its own children. A pidfd
 * (pidfd_open(2), Linux 5.3) names any process and becomes readable when that
 * process exits, so the kernel itself says when, at once, instead of a timer
 * asking getppid() or kill(pid, 0). libuv polls the pidfd on the JS thread's
 * own loop (uv_poll_t, epoll underneath): no thread, and onExit runs like any
 * other I/O callback. The handle is unref'd: a watch never keeps a process
 * alive by itself.
 *
 * Not PR_SET_PDEATHSIG: that fires when the parent *thread* that forked us
 * exits, not the parent process (a launcher that forks from a worker thread
 * would kill us while it lives on), only for the direct parent, and as a
 * signal that has to be told apart from a user's. A pidfd is about a process,
 * any process.
 *
 * The watch fires at most once (a process exits once), then closes itself;
 * close() before that cancels it. Generic: nothing here knows why a caller
 * wants to know. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>
#include "common.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

typedef struct {
	napi_env env;
	uv_poll_t poll;
	int pidfd;
	int pid;
	napi_ref callback;
	napi_async_context async;
	bool closing; /* stop() ran: the callback and async context are released */
	bool handle_closed; /* uv_close finished */
	bool wrapper_gone; /* the JS close() function was collected */
} exit_watch;

/* Freed by whichever of the two owners (the libuv handle, the JS wrapper) lets go last. */
static void maybe_free(exit_watch *w)
{
	if (w->handle_closed && w->wrapper_gone)
		free(w);
}

static void on_handle_closed(uv_handle_t *h)
{
	exit_watch *w = h->data;
	close(w->pidfd); /* only now: libuv must not see the fd go while the handle is open */
	w->handle_closed = true;
	maybe_free(w);
}

static void on_env_cleanup(void *arg);

static void stop(exit_watch *w, bool from_cleanup_hook)
{
	if (w->closing)
		return;
	w->closing = true;
	uv_poll_stop(&w->poll);
	uv_close((uv_handle_t *)&w->poll, on_handle_closed);
	napi_delete_reference(w->env, w->callback);
	napi_async_destroy(w->env, w->async);
	if (!from_cleanup_hook)
		napi_remove_env_cleanup_hook(w->env, on_env_cleanup, w);
}

static void on_env_cleanup(void *arg)
{
	stop(arg, true);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	exit_watch *w = h->data;
	napi_env env = w->env;
	napi_handle_scope scope;
	napi_value cb, recv, result, err, argv[1];
	size_t argc = 0;
	(void)events;

	if (w->closing)
		return;
	uv_poll_stop(&w->poll); /* the pidfd stays readable: report once */
	if (napi_open_handle_scope(env, &scope) != napi_ok)
		return;
	if (status < 0) /* libuv's status is a negative errno */
		argv[argc++] = pb_make_error(env, -status, "watch process %d for exit", w->pid);
	/* napi_make_callback wants an object as `this` (undefined is napi_object_expected) */
	if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb && napi_get_global(env, &recv) == napi_ok &&
	    napi_make_callback(env, w->async, recv, cb, argc, argv, &result) == napi_pending_exception &&
	    napi_get_and_clear_last_exception(env, &err) == napi_ok)
		napi_fatal_exception(env, err); /* onExit threw: the process's uncaughtException, as for any callback */
	stop(w, false);
	napi_close_handle_scope(env, scope);
}

static void on_wrapper_gone(napi_env env, void *data, void *hint)
{
	exit_watch *w = data;
	(void)env;
	(void)hint;
	w->wrapper_gone = true;
	maybe_free(w);
}

static napi_value watch_close(napi_env env, napi_callback_info info)
{
	exit_watch *w = NULL;
	PB_CHECK(env, napi_get_cb_info(env, info, NULL, NULL, NULL, (void **)&w));
	stop(w, false);
	return NULL;
}

static napi_value watch_exit(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], out, close_fn, name;
	uint32_t pid;
	uv_loop_t *loop;
	exit_watch *w;
	int fd, rc;

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2) {
		pb_throw_type(env, "usage: watchExit(pid, onExit)");
		return NULL;
	}
	if (!pb_arg_u32(env, argv[0], "pid", &pid) || !pb_arg_function(env, argv[1], "onExit"))
		return NULL;
	if (pid == 0 || pid > INT32_MAX) {
		pb_throw_type(env, "pid must be a process id (1 or more), got %u", pid);
		return NULL;
	}
	PB_CHECK(env, napi_get_uv_event_loop(env, &loop));
	fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0) {
		/* ESRCH: no such process; ENOSYS: kernel before 5.3; EPERM: a seccomp filter */
		pb_throw_errno(env, errno, "watch process %u for exit (pidfd_open)", pid);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		pb_throw_errno(env, ENOMEM, "watch process %u for exit", pid);
		return NULL;
	}
	w->env = env;
	w->pidfd = fd;
	w->pid = (int)pid;
	w->poll.data = w;
	if ((rc = uv_poll_init(loop, &w->poll, fd)) < 0) {
		close(fd);
		free(w);
		pb_throw_errno(env, -rc, "watch process %u for exit (poll the pidfd)", pid);
		return NULL;
	}
	if ((rc = uv_poll_start(&w->poll, UV_READABLE, on_poll)) < 0) {
		w->wrapper_gone = true; /* no wrapper will exist: the handle's close frees it */
		w->closing = true;
		uv_close((uv_handle_t *)&w->poll, on_handle_closed);
		pb_throw_errno(env, -rc, "watch process %u for exit (poll the pidfd)", pid);
		return NULL;
	}
	uv_unref((uv_handle_t *)&w->poll);
	PB_CHECK(env, napi_create_reference(env, argv[1], 1, &w->callback));
	PB_CHECK(env, napi_create_string_utf8(env, "probebook:watchExit", NAPI_AUTO_LENGTH, &name));
	PB_CHECK(env, napi_async_init(env, NULL, name, &w->async));
	PB_CHECK(env, napi_add_env_cleanup_hook(env, on_env_cleanup, w));

	PB_CHECK(env, napi_create_object(env, &out));
	pb_set_prop_num(env, out, "pid", pid);
	PB_CHECK(env, napi_create_function(env, "close", NAPI_AUTO_LENGTH, watch_close, w, &close_fn));
	PB_CHECK(env, napi_add_finalizer(env, close_fn, w, on_wrapper_gone, NULL, NULL));
	PB_CHECK(env, napi_set_named_property(env, out, "close", close_fn));
	return out;
}

bool pb_process_exit_init(napi_env env, napi_value exports)
{
	napi_value fn;
	if (napi_create_function(env, "watchExit", NAPI_AUTO_LENGTH, watch_exit, NULL, &fn) != napi_ok ||
	    napi_set_named_property(env, exports, "watchExit", fn) != napi_ok) {
		pb_rethrow_napi(env, "define watchExit");
		return false;
	}
	return true;
}
