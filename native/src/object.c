/* BpfObject: one opened .bpf.o, configured (rodata, map sizes) before load,
 * then loaded through the verifier, attached, read and closed. Closing (or
 * the addon's exit hook) stops its readers and destroys all its links: fds only,
 * nothing pinned, so nothing outlives the process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"

#define VERIFIER_LOG_SIZE (8u << 20) /* big enough that the kernel keeps the failing tail */
#define VERIFIER_TAIL_LINES 12

/* Every BpfObject method starts here, whichever file it lives in. */
pb_object *pb_object_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
			  napi_value *self, bool need_open)
{
	pb_object *o = pb_this(env, info, argc, argv, self, PB_CLASS_OBJECT, "method called");

	if (o && need_open && !o->obj) {
		pb_throw_state(env, "ERR_BPF_CLOSED", "BPF object %s is closed", o->path);
		return NULL;
	}
	return o;
}

static struct bpf_map *find_map(napi_env env, pb_object *o, napi_value name_v, char *name, size_t cap)
{
	struct bpf_map *m;

	if (!pb_arg_string(env, name_v, "map name", name, cap))
		return NULL;
	m = bpf_object__find_map_by_name(o->obj, name);
	if (!m) {
		char known[512] = "";
		struct bpf_map *it;
		bpf_object__for_each_map(it, o->obj) {
			if (known[0])
				strncat(known, ", ", sizeof(known) - strlen(known) - 1);
			strncat(known, bpf_map__name(it), sizeof(known) - strlen(known) - 1);
		}
		pb_throw_state(env, "ERR_BPF_NO_MAP", "%s has no map named \"%s\" (it has: %s)", o->path, name, known);
	}
	return m;
}

struct bpf_program *pb_object_program(napi_env env, pb_object *o, napi_value v, char *name, size_t cap)
{
	struct bpf_program *p;

	if (!pb_arg_string(env, v, "program name", name, cap))
		return NULL;
	p = bpf_object__find_program_by_name(o->obj, name);
	if (!p)
		pb_throw_state(env, "ERR_BPF_NO_PROGRAM", "%s has no program named \"%s\"", o->path, name);
	return p;
}

bool pb_object_need(napi_env env, pb_object *o, bool loaded, const char *action)
{
	if (o->loaded == loaded)
		return true;
	pb_throw_state(env, loaded ? "ERR_BPF_NOT_LOADED" : "ERR_BPF_LOADED", "cannot %s: %s is %s", action,
		       o->path, loaded ? "not loaded yet (call load() first)" : "already loaded");
	return false;
}

/* setRodata(section, offset, bytes): write into a data section's initial value. */
static napi_value set_rodata(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3];
	char name[64];
	uint32_t off;
	uint8_t *bytes;
	size_t len, size = 0;
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	void *init;

	if (!o || !pb_object_need(env, o, false, "write rodata"))
		return NULL;
	if (!(m = find_map(env, o, argv[0], name, sizeof(name))) || !pb_arg_u32(env, argv[1], "offset", &off) ||
	    !pb_arg_bytes(env, argv[2], "bytes", &bytes, &len))
		return NULL;
	init = (void *)bpf_map__initial_value(m, &size);
	if (!init) {
		pb_throw_state(env, "ERR_BPF_NOT_DATA", "map %s of %s is not a data section", name, o->path);
		return NULL;
	}
	if ((size_t)off + len > size) {
		pb_throw_state(env, "ERR_OUT_OF_RANGE", "write %zu bytes at %u into %s: the section has %zu bytes",
			       len, off, name, size);
		return NULL;
	}
	memcpy((uint8_t *)init + off, bytes, len);
	return NULL;
}

/* sectionSize(section) -> bytes of a data section (.rodata, .bss, ...). */
static napi_value section_size(napi_env env, napi_callback_info info)
{
	size_t argc = 1, size = 0;
	napi_value argv[1], r;
	char name[64];
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;

	if (!o || !(m = find_map(env, o, argv[0], name, sizeof(name))))
		return NULL;
	if (!bpf_map__initial_value(m, &size)) {
		pb_throw_state(env, "ERR_BPF_NOT_DATA", "map %s of %s is not a data section", name, o->path);
		return NULL;
	}
	napi_create_uint32(env, (uint32_t)size, &r);
	return r;
}

static napi_value set_max_entries(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[64];
	uint32_t n;
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	int err;

	if (!o || !pb_object_need(env, o, false, "resize a map"))
		return NULL;
	if (!(m = find_map(env, o, argv[0], name, sizeof(name))) || !pb_arg_u32(env, argv[1], "maxEntries", &n))
		return NULL;
	pb_libbpf_log_reset();
	err = bpf_map__set_max_entries(m, n);
	if (err)
		pb_throw_errno(env, err, "set max_entries of map %s to %u", name, n);
	return NULL;
}

/* The last lines of a verifier log, where the reason is. */
static const char *log_tail(const char *log, int lines)
{
	const char *p = log + strlen(log);

	while (p > log && (p[-1] == '\n' || p[-1] == ' '))
		p--;
	while (p > log && lines > 0) {
		p--;
		if (*p == '\n')
			lines--;
	}
	return p == log ? p : p + 1;
}

static napi_value load(napi_env env, napi_callback_info info)
{
	pb_object *o = pb_object_this(env, info, NULL, NULL, NULL, true);
	struct bpf_program *p;
	char *logs[16] = { 0 };
	struct bpf_program *progs[16];
	int n = 0, err;

	if (!o || !pb_object_need(env, o, false, "load"))
		return NULL;
	/* A log buffer per program: libbpf loads with log_level 0 and, only on
	 * failure, retries with level 1 into this buffer. */
	bpf_object__for_each_program(p, o->obj) {
		if (n == 16)
			break;
		logs[n] = malloc(VERIFIER_LOG_SIZE);
		if (logs[n]) {
			logs[n][0] = 0;
			bpf_program__set_log_buf(p, logs[n], VERIFIER_LOG_SIZE);
		}
		progs[n++] = p;
	}
	pb_libbpf_log_reset();
	err = bpf_object__load(o->obj);
	if (err) {
		int bad = -1;
		for (int i = 0; i < n; i++)
			if (logs[i] && logs[i][0]) {
				bad = i;
				break;
			}
		napi_value e;
		if (bad >= 0) {
			const char *name = bpf_program__name(progs[bad]);
			char what[1024];
			snprintf(what, sizeof(what), "load %s: the verifier rejected program %s", o->path, name);
			e = pb_make_error(env, err, "%s", what);
			/* message = summary + the log's last lines; the whole log on .verifierLog */
			napi_value msg, full;
			char *m = malloc(strlen(what) + 64 + 8192);
			if (m) {
				snprintf(m, strlen(what) + 64 + 8192, "%s: %s\nverifier log (last lines):\n%.8000s", what,
					 pb_errno_code(err < 0 ? -err : err), log_tail(logs[bad], VERIFIER_TAIL_LINES));
				napi_create_string_utf8(env, m, NAPI_AUTO_LENGTH, &msg);
				napi_set_named_property(env, e, "message", msg);
				free(m);
			}
			napi_create_string_utf8(env, logs[bad], NAPI_AUTO_LENGTH, &full);
			napi_set_named_property(env, e, "verifierLog", full);
			pb_set_prop_str(env, e, "program", name);
		} else {
			e = pb_make_error(env, err, "load %s", o->path);
		}
		napi_throw(env, e);
	} else {
		o->loaded = true;
	}
	for (int i = 0; i < n; i++) {
		bpf_program__set_log_buf(progs[i], NULL, 0);
		free(logs[i]);
	}
	return NULL;
}

static napi_value open_ring_reader(napi_env env, napi_callback_info info)
{
	size_t argc = 4;
	napi_value argv[4], self;
	pb_object *o = pb_object_this(env, info, &argc, argv, &self, true);

	if (!o || !pb_object_need(env, o, true, "read a ring buffer"))
		return NULL;
	return pb_reader_open(env, o, self, argv, argc);
}

static napi_value percpu_sum(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);

	if (!o || !pb_object_need(env, o, true, "read a map"))
		return NULL;
	return pb_object_percpu_sum(env, o, argv, argc);
}

static napi_value program_info(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);

	if (!o || !pb_object_need(env, o, true, "read program info"))
		return NULL;
	return pb_object_program_info(env, o, argv, argc);
}

static napi_value names(napi_env env, napi_callback_info info, bool maps)
{
	pb_object *o = pb_object_this(env, info, NULL, NULL, NULL, true);
	napi_value arr, s;
	uint32_t i = 0;

	if (!o)
		return NULL;
	napi_create_array(env, &arr);
	if (maps) {
		struct bpf_map *m;
		bpf_object__for_each_map(m, o->obj) {
			napi_create_string_utf8(env, bpf_map__name(m), NAPI_AUTO_LENGTH, &s);
			napi_set_element(env, arr, i++, s);
		}
	} else {
		struct bpf_program *p;
		bpf_object__for_each_program(p, o->obj) {
			napi_create_string_utf8(env, bpf_program__name(p), NAPI_AUTO_LENGTH, &s);
			napi_set_element(env, arr, i++, s);
		}
	}
	return arr;
}

static napi_value map_names(napi_env env, napi_callback_info info) { return names(env, info, true); }
static napi_value program_names(napi_env env, napi_callback_info info) { return names(env, info, false); }

void pb_object_forget_reader(pb_object *o, struct pb_reader *r)
{
	for (size_t i = 0; i < o->nreaders; i++)
		if (o->readers[i] == r) {
			o->readers[i] = o->readers[--o->nreaders];
			return;
		}
}

/* Stops readers (final drain included), destroys links, closes the object. Idempotent. */
void pb_object_close(pb_object *o)
{
	if (!o->obj)
		return;
	while (o->nreaders > 0)
		pb_reader_halt(o->readers[o->nreaders - 1]); /* removes itself from the list */
	for (size_t i = 0; i < o->nlinks; i++) {
		pb_link_destroy(o->links[i]);
		o->links[i]->owner = NULL;
		if (!o->links[i]->wrapped) /* its JS handle is gone already */
			free(o->links[i]);
	}
	o->nlinks = 0;
	bpf_object__close(o->obj);
	o->obj = NULL;
	o->loaded = false;
	pb_object_unlist(o);
}

pb_addon *pb_object_unlist(pb_object *o)
{
	pb_addon *a = o->addon;

	if (!a)
		return NULL;
	if (o->prev)
		o->prev->next = o->next;
	else
		a->objects = o->next;
	if (o->next)
		o->next->prev = o->prev;
	o->next = o->prev = NULL;
	o->addon = NULL;
	return a;
}

static napi_value close_object(napi_env env, napi_callback_info info)
{
	pb_object *o = pb_object_this(env, info, NULL, NULL, NULL, false);

	if (!o)
		return NULL;
	pb_object_close(o);
	return NULL;
}

static napi_value get_path(napi_env env, napi_callback_info info)
{
	pb_object *o = pb_object_this(env, info, NULL, NULL, NULL, false);
	napi_value s;

	if (!o)
		return NULL;
	napi_create_string_utf8(env, o->path, NAPI_AUTO_LENGTH, &s);
	return s;
}

static napi_value get_state(napi_env env, napi_callback_info info)
{
	pb_object *o = pb_object_this(env, info, NULL, NULL, NULL, false);
	napi_value s;

	if (!o)
		return NULL;
	napi_create_string_utf8(env, !o->obj ? "closed" : o->loaded ? "loaded" : "opened", NAPI_AUTO_LENGTH, &s);
	return s;
}

static void finalize(napi_env env, void *data, void *hint)
{
	pb_object *o = data;
	(void)hint;
	(void)env;
	pb_object_close(o);
	free(o->links);
	free(o->readers);
	free(o);
}

/* new BpfObject(external): only openObject() constructs these, and frees o if this fails. */
static napi_value construct(napi_env env, napi_callback_info info)
{
	napi_value self;
	pb_object *o = pb_construct_arg(env, info, &self, "BpfObject cannot be constructed directly: use openObject(path)");

	if (!o)
		return NULL;
	if (!pb_wrap(env, self, PB_CLASS_OBJECT, o, finalize)) {
		pb_throw_state(env, "ERR_NAPI", "cannot wrap BpfObject");
		return NULL;
	}
	return self;
}

napi_value pb_object_define(napi_env env)
{
	napi_property_descriptor props[] = {
		{ "path", NULL, NULL, get_path, NULL, NULL, napi_default, NULL },
		{ "state", NULL, NULL, get_state, NULL, NULL, napi_default, NULL },
		{ "setRodata", NULL, set_rodata, NULL, NULL, NULL, napi_default, NULL },
		{ "sectionSize", NULL, section_size, NULL, NULL, NULL, napi_default, NULL },
		{ "setMapMaxEntries", NULL, set_max_entries, NULL, NULL, NULL, napi_default, NULL },
		{ "load", NULL, load, NULL, NULL, NULL, napi_default, NULL },
		{ "attachTracepoint", NULL, pb_attach_tracepoint, NULL, NULL, NULL, napi_default, NULL },
		{ "openRingReader", NULL, open_ring_reader, NULL, NULL, NULL, napi_default, NULL },
		{ "percpuSum", NULL, percpu_sum, NULL, NULL, NULL, napi_default, NULL },
		{ "setMapKeySize", NULL, pb_map_set_key_size, NULL, NULL, NULL, napi_default, NULL },
		{ "setMapValueSize", NULL, pb_map_set_value_size, NULL, NULL, NULL, napi_default, NULL },
		{ "mapUpdate", NULL, pb_map_update, NULL, NULL, NULL, napi_default, NULL },
		{ "mapLookup", NULL, pb_map_lookup, NULL, NULL, NULL, napi_default, NULL },
		{ "readAggregate", NULL, pb_map_read_aggregate, NULL, NULL, NULL, napi_default, NULL },
		{ "programInfo", NULL, program_info, NULL, NULL, NULL, napi_default, NULL },
		{ "mapNames", NULL, map_names, NULL, NULL, NULL, napi_default, NULL },
		{ "programNames", NULL, program_names, NULL, NULL, NULL, napi_default, NULL },
		{ "close", NULL, close_object, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_value ctor;

	PB_CHECK(env, napi_define_class(env, "BpfObject", NAPI_AUTO_LENGTH, construct, NULL,
					sizeof(props) / sizeof(props[0]), props, &ctor));
	return ctor;
}

/* openObject(path) -> BpfObject (opened, not loaded). */
napi_value pb_open_object(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], inst;
	pb_addon *a = pb_addon_get(env);
	pb_object *o;
	struct bpf_object *obj;
	char path[512], core_btf[512];
	LIBBPF_OPTS(bpf_object_open_opts, opts);

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !pb_arg_string(env, argv[0], "path", path, sizeof(path)))
		return NULL;
	if (pb_core_btf_for(path, core_btf, sizeof(core_btf))) /* core_btf.c: why */
		opts.btf_custom_path = core_btf;
	pb_libbpf_log_reset();
	obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		pb_throw_errno(env, errno, "open BPF object %s", path);
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		bpf_object__close(obj);
		pb_throw_errno(env, ENOMEM, "open BPF object %s", path);
		return NULL;
	}
	o->obj = obj;
	snprintf(o->path, sizeof(o->path), "%s", path);
	snprintf(o->core_btf, sizeof(o->core_btf), "%s", core_btf);
	if (pb_instantiate(env, a->object_ctor, o, &inst) != napi_ok) {
		pb_object_close(o); /* no wrapper holds it: it is still ours */
		free(o);
		pb_rethrow_napi(env, "create the BpfObject");
		return NULL;
	}
	o->addon = a;
	o->next = a->objects;
	if (a->objects)
		a->objects->prev = o;
	a->objects = o;
	return inst;
}
