/* Shared declarations of the probebook BPF addon: thin C over libbpf.
 * The addon knows nothing of notebooks: objects, links, ring readers, maps. */
#ifndef PB_COMMON_H
#define PB_COMMON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_object;
struct bpf_link;
struct pb_reader;

/* Fails the current N-API function: every call site returns NULL after it. */
#define PB_CHECK(env, call)                                                  \
	do {                                                                 \
		if ((call) != napi_ok) {                                     \
			pb_rethrow_napi((env), #call);                       \
			return NULL;                                         \
		}                                                            \
	} while (0)

typedef struct pb_link pb_link;
typedef struct pb_object pb_object;

/* An attachment. Owned by its object (close() destroys it) and referenced by
 * its JS wrapper; `owner` is NULL once the object is gone. */
struct pb_link {
	struct bpf_link *link;
	pb_object *owner;
	bool wrapped; /* a JS BpfLink still refers to it */
	char what[300]; /* "tracepoint syscalls:sys_enter_openat" */
};

typedef struct pb_addon pb_addon;

struct pb_object {
	struct bpf_object *obj;
	pb_addon *addon; /* NULL once closed: then it is in no list */
	char path[512];
	char core_btf[512]; /* min.btf passed as btf_custom_path; "" = vmlinux (core_btf.c) */
	bool loaded;
	pb_link **links;
	size_t nlinks, links_cap;
	struct pb_reader **readers;
	size_t nreaders, readers_cap;
	pb_object *next, *prev; /* the addon's list of open objects (exit clean-up) */
};

/* Per-environment addon state. */
struct pb_addon {
	napi_ref object_ctor, link_ctor, reader_ctor;
	pb_object *objects; /* open objects, closed by the env clean-up hook */
	struct pb_closing *closing; /* closeAsync() still running (close_async.c) */
};

/* errors.c */
void pb_install_libbpf_print(void);
void pb_libbpf_log_reset(void);
const char *pb_libbpf_log(void);
napi_value pb_make_error(napi_env env, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pb_throw_errno(napi_env env, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pb_throw_type(napi_env env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pb_throw_state(napi_env env, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pb_rethrow_napi(napi_env env, const char *what);
void pb_set_prop_str(napi_env env, napi_value o, const char *k, const char *v);
void pb_set_prop_num(napi_env env, napi_value o, const char *k, double v);
const char *pb_errno_code(int err);

/* args.c: argument helpers; on failure they throw a TypeError and return false */
bool pb_arg_string(napi_env env, napi_value v, const char *what, char *buf, size_t cap);
bool pb_arg_u32(napi_env env, napi_value v, const char *what, uint32_t *out);
bool pb_arg_opt_u32(napi_env env, napi_value obj, const char *key, uint32_t dflt, uint32_t *out);
bool pb_arg_bytes(napi_env env, napi_value v, const char *what, uint8_t **data, size_t *len);
bool pb_arg_function(napi_env env, napi_value v, const char *what);
/* options.<key>: "" / false when undefined, else it must be a string / boolean */
bool pb_arg_opt_string(napi_env env, napi_value obj, const char *key, char *buf, size_t cap);
bool pb_arg_opt_bool(napi_env env, napi_value obj, const char *key, bool *out);

/* wrap.c: the JS wrappers of the native structs, type-tagged per class */
typedef enum { PB_CLASS_OBJECT, PB_CLASS_LINK, PB_CLASS_READER } pb_class;
/* A constructor's one argument, the external the addon passes; else a TypeError saying `usage`. */
void *pb_construct_arg(napi_env env, napi_callback_info info, napi_value *self, const char *usage);
bool pb_wrap(napi_env env, napi_value self, pb_class cls, void *p, napi_finalize finalize);
/* new <class>(external p), the constructor held by ctor_ref */
napi_status pb_instantiate(napi_env env, napi_ref ctor_ref, void *p, napi_value *inst);
/* The struct wrapped by `this` (and the call's arguments, self optional), or NULL
 * after a TypeError "<misuse> on something that is not a <class>". */
void *pb_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *self,
	      pb_class cls, const char *misuse);
/* Adds methods to ctor.prototype (BpfObject's are spread over several files). */
bool pb_define_methods(napi_env env, napi_value ctor, const napi_property_descriptor *props, size_t n,
		       const char *what);

/* object.c */
napi_value pb_object_define(napi_env env);
napi_value pb_open_object(napi_env env, napi_callback_info info);
void pb_object_close(pb_object *o);
/* `this` as a BpfObject; with need_open, a closed one throws ERR_BPF_CLOSED. */
pb_object *pb_object_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
			  napi_value *self, bool need_open);
/* Throws ERR_BPF_NOT_LOADED / ERR_BPF_LOADED unless o->loaded == loaded. */
bool pb_object_need(napi_env env, pb_object *o, bool loaded, const char *action);
/* The program named by v (a string), or NULL after ERR_BPF_NO_PROGRAM. */
struct bpf_program *pb_object_program(napi_env env, pb_object *o, napi_value v, char *name, size_t cap);
/* Takes o off its addon's list of open objects; returns that addon (NULL if it was on none). */
pb_addon *pb_object_unlist(pb_object *o);
void pb_object_forget_reader(pb_object *o, struct pb_reader *r);

/* link.c */
napi_value pb_link_define(napi_env env);
napi_value pb_link_wrap(napi_env env, pb_link *l);
void pb_link_destroy(pb_link *l);
/* Moves o's attachments to `out` (room for o->nlinks) for a worker to destroy. */
size_t pb_links_hand_over(pb_object *o, struct bpf_link **out);

/* reader.c */
napi_value pb_reader_define(napi_env env);
napi_value pb_reader_open(napi_env env, pb_object *o, napi_value this_obj, napi_value *argv, size_t argc);
void pb_reader_halt(struct pb_reader *r);

/* map_batch.c: aggregation maps (BpfObject methods) */
napi_value pb_map_set_key_size(napi_env env, napi_callback_info info);
napi_value pb_map_set_value_size(napi_env env, napi_callback_info info);
napi_value pb_map_update(napi_env env, napi_callback_info info);
napi_value pb_map_lookup(napi_env env, napi_callback_info info);
napi_value pb_map_read_aggregate(napi_env env, napi_callback_info info);

/* maps.c, prog_info.c, features.c */
napi_value pb_object_percpu_sum(napi_env env, pb_object *o, napi_value *argv, size_t argc);
napi_value pb_object_program_info(napi_env env, pb_object *o, napi_value *argv, size_t argc);
napi_value pb_features_init(napi_env env, napi_value exports);

/* attach_more.c (tracepoint, uprobe, USDT, perf event, raw/BTF tracepoint, kprobe, fentry) and stacks.c */
bool pb_attach_more_init(napi_env env, napi_value object_ctor);
napi_value pb_attach_tracepoint(napi_env env, napi_callback_info info);
napi_value pb_stack_trace(napi_env env, napi_callback_info info);
napi_value pb_hash_entries(napi_env env, napi_callback_info info);

/* core_btf.c: the build's min.btf for an object (its path into `out`), if current */
bool pb_core_btf_for(const char *obj_path, char *out, size_t cap);
bool pb_core_btf_init(napi_env env, napi_value object_ctor);

/* close_async.c: BpfObject.closeAsync() and the exit hook's part of it */
bool pb_close_async_init(napi_env env, napi_value object_ctor);
void pb_close_async_finish_all(pb_addon *a);
/* detach_async.c: BpfObject.detachAsync() */
bool pb_detach_async_init(napi_env env, napi_value object_ctor);
/* run_switch.c: storeU32 (a data section through its mmap) and quiesceAsync */
bool pb_run_switch_init(napi_env env, napi_value exports, napi_value object_ctor);

/* process_exit.c: watchExit(pid, onExit), a pidfd polled on the JS thread's loop */
bool pb_process_exit_init(napi_env env, napi_value exports);

pb_addon *pb_addon_get(napi_env env);

#endif
