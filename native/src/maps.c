/* Map reads: per-CPU counters summed over CPUs (drops, events seen, ...). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"

/* percpuSum(map, key) -> number: a u64 per-CPU array value summed over all possible CPUs. */
napi_value pb_object_percpu_sum(napi_env env, pb_object *o, napi_value *argv, size_t argc)
{
	char name[64];
	uint32_t key;
	struct bpf_map *m;
	int ncpu, err;
	uint64_t *vals, sum = 0;
	napi_value r;

	if (argc < 2 || !pb_arg_string(env, argv[0], "map name", name, sizeof(name)) ||
	    !pb_arg_u32(env, argv[1], "key", &key))
		return NULL;
	m = bpf_object__find_map_by_name(o->obj, name);
	if (!m || bpf_map__type(m) != BPF_MAP_TYPE_PERCPU_ARRAY || bpf_map__value_size(m) != 8) {
		pb_throw_state(env, "ERR_BPF_NO_MAP", "%s has no per-CPU array of u64 named \"%s\"", o->path, name);
		return NULL;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		pb_throw_errno(env, -ncpu, "count possible CPUs");
		return NULL;
	}
	vals = calloc((size_t)ncpu, sizeof(uint64_t));
	if (!vals) {
		pb_throw_errno(env, ENOMEM, "read map %s", name);
		return NULL;
	}
	pb_libbpf_log_reset();
	err = bpf_map__lookup_elem(m, &key, sizeof(key), vals, (size_t)ncpu * sizeof(uint64_t), 0);
	if (err) {
		free(vals);
		pb_throw_errno(env, err, "read map %s key %u", name, key);
		return NULL;
	}
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	free(vals);
	napi_create_double(env, (double)sum, &r);
	return r;
}
