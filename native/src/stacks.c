/* Map reads for the profile template: one stack of a BPF_MAP_TYPE_STACK_TRACE
 * map, and every entry of a (small) hash map as raw key and value bytes that
 * TypeScript decodes with the template's descriptor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"

static pb_object *loaded_object(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
				 const char *action)
{
	pb_object *o = pb_object_this(env, info, argc, argv, NULL, false);

	if (o && (!o->obj || !o->loaded)) { /* its own wording: "cannot read a map: x is closed" */
		pb_throw_state(env, o->obj ? "ERR_BPF_NOT_LOADED" : "ERR_BPF_CLOSED", "cannot %s: %s is %s", action,
			       o->path, o->obj ? "not loaded yet" : "closed");
		return NULL;
	}
	return o;
}

static struct bpf_map *typed_map(napi_env env, pb_object *o, napi_value v, enum bpf_map_type a,
				 enum bpf_map_type b, const char *kind, char *name, size_t cap)
{
	struct bpf_map *m;

	if (!pb_arg_string(env, v, "map name", name, cap))
		return NULL;
	m = bpf_object__find_map_by_name(o->obj, name);
	if (!m || (bpf_map__type(m) != a && bpf_map__type(m) != b)) {
		pb_throw_state(env, "ERR_BPF_NO_MAP", "%s has no %s named \"%s\"", o->path, kind, name);
		return NULL;
	}
	return m;
}

/* stackTrace(map, id) -> BigUint64Array of instruction pointers, innermost
 * first; empty when the id is unknown (evicted by a hash collision). */
napi_value pb_stack_trace(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], ab, arr;
	char name[64];
	uint32_t id, vsize;
	pb_object *o = loaded_object(env, info, &argc, argv, "read a stack");
	struct bpf_map *m;
	uint64_t *ips;
	void *out;
	size_t n = 0;
	int err;

	if (!o || argc < 2 ||
	    !(m = typed_map(env, o, argv[0], BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_STACK_TRACE, "stack trace map",
			    name, sizeof(name))) ||
	    !pb_arg_u32(env, argv[1], "stack id", &id))
		return NULL;
	vsize = bpf_map__value_size(m);
	if (!(ips = calloc(1, vsize))) {
		pb_throw_errno(env, ENOMEM, "read stack %u of %s", id, name);
		return NULL;
	}
	pb_libbpf_log_reset();
	err = bpf_map__lookup_elem(m, &id, sizeof(id), ips, vsize, 0);
	if (err && err != -ENOENT) {
		free(ips);
		pb_throw_errno(env, err, "read stack %u of %s", id, name);
		return NULL;
	}
	if (!err)
		while (n < vsize / 8 && ips[n])
			n++;
	PB_CHECK(env, napi_create_arraybuffer(env, n * 8, &out, &ab));
	memcpy(out, ips, n * 8);
	free(ips);
	PB_CHECK(env, napi_create_typedarray(env, napi_biguint64_array, n, ab, 0, &arr));
	return arr;
}

/* hashEntries(map) -> { count, keySize, valueSize, keys: Uint8Array, values: Uint8Array }:
 * entry i is keys[i*keySize ..], values[i*valueSize ..]. Per-CPU hashes give
 * one value per possible CPU (valueSize is then the per-CPU size x CPUs). */
napi_value pb_hash_entries(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], r, kab, vab, karr, varr;
	char name[64];
	pb_object *o = loaded_object(env, info, &argc, argv, "read a map");
	struct bpf_map *m;
	uint32_t ks, vs, max;
	uint8_t *keys, *vals, *prev = NULL;
	size_t n = 0;
	void *kout, *vout;
	int err = 0;

	if (!o || argc < 1 ||
	    !(m = typed_map(env, o, argv[0], BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, "hash map", name,
			    sizeof(name))))
		return NULL;
	ks = bpf_map__key_size(m);
	vs = bpf_map__value_size(m);
	if (bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_HASH)
		vs = ((vs + 7) & ~7u) * (uint32_t)libbpf_num_possible_cpus();
	max = bpf_map__max_entries(m);
	keys = malloc((size_t)ks * max);
	vals = malloc((size_t)vs * max);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		pb_throw_errno(env, ENOMEM, "read map %s", name);
		return NULL;
	}
	pb_libbpf_log_reset();
	/* get_next_key walk; an entry deleted meanwhile is skipped (ENOENT). */
	while (n < max && !(err = bpf_map__get_next_key(m, prev, keys + n * ks, ks))) {
		prev = keys + n * ks;
		err = bpf_map__lookup_elem(m, prev, ks, vals + n * vs, vs, 0);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		n++;
		err = 0;
	}
	if (err && err != -ENOENT) {
		free(keys);
		free(vals);
		pb_throw_errno(env, err, "read map %s", name);
		return NULL;
	}
	napi_create_object(env, &r);
	pb_set_prop_num(env, r, "count", (double)n);
	pb_set_prop_num(env, r, "keySize", ks);
	pb_set_prop_num(env, r, "valueSize", vs);
	PB_CHECK(env, napi_create_arraybuffer(env, n * ks, &kout, &kab));
	PB_CHECK(env, napi_create_arraybuffer(env, n * vs, &vout, &vab));
	memcpy(kout, keys, n * ks);
	memcpy(vout, vals, n * vs);
	free(keys);
	free(vals);
	PB_CHECK(env, napi_create_typedarray(env, napi_uint8_array, n * ks, kab, 0, &karr));
	PB_CHECK(env, napi_create_typedarray(env, napi_uint8_array, n * vs, vab, 0, &varr));
	napi_set_named_property(env, r, "keys", karr);
	napi_set_named_property(env, r, "values", varr);
	return r;
}
