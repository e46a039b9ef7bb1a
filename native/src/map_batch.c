/* Aggregation maps: sizes before load, single-element reads and writes, and
 * batched reads of per-CPU hash maps with the CPUs merged here in C (counts and
 * sums add, min and max combine, histogram slots add), handed to JS as column
 * batches: keys decoded by a column layout, values as Float64Arrays.
 *
 * Batches use BPF_MAP_LOOKUP(_AND_DELETE)_BATCH; where the kernel or the map
 * type has no batch operations they fall back to get_next_key iteration. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "columns.h"
#include "common.h"

static struct bpf_map *map_arg(napi_env env, pb_object *o, napi_value v, char *name, size_t cap, bool want_loaded,
			       const char *action)
{
	struct bpf_map *m;

	if (!pb_arg_string(env, v, "map name", name, cap))
		return NULL;
	if (o->loaded != want_loaded) {
		pb_throw_state(env, want_loaded ? "ERR_BPF_NOT_LOADED" : "ERR_BPF_LOADED", "cannot %s of %s: %s is %s",
			       action, name, o->path, want_loaded ? "not loaded yet (call load() first)" : "already loaded");
		return NULL;
	}
	m = bpf_object__find_map_by_name(o->obj, name);
	if (!m)
		pb_throw_state(env, "ERR_BPF_NO_MAP", "%s has no map named \"%s\"", o->path, name);
	return m;
}

static bool is_percpu(struct bpf_map *m)
{
	switch (bpf_map__type(m)) {
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return true;
	default:
		return false;
	}
}

/* Bytes of one value as the syscall returns it: per-CPU values come as one
 * 8-byte-aligned copy per possible CPU. */
static size_t user_value_size(struct bpf_map *m, int ncpu)
{
	size_t v = bpf_map__value_size(m);
	return is_percpu(m) ? ((v + 7) & ~(size_t)7) * (size_t)ncpu : v;
}

static napi_value set_size(napi_env env, napi_callback_info info, bool key)
{
	size_t argc = 2;
	napi_value argv[2];
	char name[64];
	uint32_t n;
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	int err;

	if (!o || argc < 2 || !(m = map_arg(env, o, argv[0], name, sizeof(name), false, key ? "set the key size" : "set the value size")) ||
	    !pb_arg_u32(env, argv[1], key ? "keySize" : "valueSize", &n))
		return NULL;
	pb_libbpf_log_reset();
	err = key ? bpf_map__set_key_size(m, n) : bpf_map__set_value_size(m, n);
	if (err)
		pb_throw_errno(env, err, "set %s size of map %s to %u", key ? "key" : "value", name, n);
	return NULL;
}

/* setMapKeySize(map, bytes), setMapValueSize(map, bytes): before load. */
napi_value pb_map_set_key_size(napi_env env, napi_callback_info info) { return set_size(env, info, true); }
napi_value pb_map_set_value_size(napi_env env, napi_callback_info info) { return set_size(env, info, false); }

/* mapUpdate(map, key: Uint8Array, value: Uint8Array): one element (flags BPF_ANY). */
napi_value pb_map_update(napi_env env, napi_callback_info info)
{
	size_t argc = 3, klen, vlen;
	napi_value argv[3];
	char name[64];
	uint8_t *k, *v;
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	int err, ncpu = libbpf_num_possible_cpus();

	if (!o || argc < 3 || !(m = map_arg(env, o, argv[0], name, sizeof(name), true, "update an element")) ||
	    !pb_arg_bytes(env, argv[1], "key", &k, &klen) || !pb_arg_bytes(env, argv[2], "value", &v, &vlen))
		return NULL;
	if (klen != bpf_map__key_size(m) || vlen != user_value_size(m, ncpu)) {
		pb_throw_type(env, "update of map %s: key and value must have %u and %zu bytes, got %zu and %zu", name,
			      bpf_map__key_size(m), user_value_size(m, ncpu), klen, vlen);
		return NULL;
	}
	err = bpf_map_update_elem(bpf_map__fd(m), k, v, BPF_ANY);
	if (err)
		pb_throw_errno(env, errno, "update an element of map %s", name);
	return NULL;
}

/* mapLookup(map, key: Uint8Array) -> Uint8Array (per-CPU maps: every CPU's copy) | null. */
napi_value pb_map_lookup(napi_env env, napi_callback_info info)
{
	size_t argc = 2, klen, vsz;
	napi_value argv[2], ab, ta, nul;
	char name[64];
	uint8_t *k;
	void *p;
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	int ncpu = libbpf_num_possible_cpus();

	if (!o || argc < 2 || !(m = map_arg(env, o, argv[0], name, sizeof(name), true, "look an element up")) ||
	    !pb_arg_bytes(env, argv[1], "key", &k, &klen))
		return NULL;
	if (klen != bpf_map__key_size(m)) {
		pb_throw_type(env, "lookup in map %s: the key must have %u bytes, got %zu", name, bpf_map__key_size(m), klen);
		return NULL;
	}
	vsz = user_value_size(m, ncpu);
	PB_CHECK(env, napi_create_arraybuffer(env, vsz, &p, &ab));
	if (bpf_map_lookup_elem(bpf_map__fd(m), k, p)) {
		if (errno == ENOENT) {
			napi_get_null(env, &nul);
			return nul;
		}
		pb_throw_errno(env, errno, "look an element up in map %s", name);
		return NULL;
	}
	PB_CHECK(env, napi_create_typedarray(env, napi_uint8_array, vsz, ab, 0, &ta));
	return ta;
}

/* Where the fixed fields and the slots of a value are (from the template's descriptor). */
struct value_layout {
	uint32_t count, sum, min, max, slots, nslots;
};

/* Per-key merged values, and the nonzero slots as (key row, slot, count). */
struct merged {
	pb_batch *keys;
	double *count, *sum, *min, *max;
	uint32_t cap;
	uint32_t *h_row, *h_slot;
	double *h_count;
	uint32_t h_rows, h_cap;
};

/* Each array is stored as soon as it moved: if a later one fails, the caller
 * frees the ones already grown, not their old (freed) addresses. */
static bool grow_keys(struct merged *r)
{
	uint32_t cap = r->cap ? r->cap * 2 : 256;
	double **a[4] = { &r->count, &r->sum, &r->min, &r->max };

	for (int i = 0; i < 4; i++) {
		double *p = realloc(*a[i], sizeof(double) * cap);
		if (!p)
			return false;
		*a[i] = p;
	}
	r->cap = cap;
	return true;
}

static bool add_slot(struct merged *r, uint32_t row, uint32_t slot, double n)
{
	if (r->h_rows == r->h_cap) {
		uint32_t cap = r->h_cap ? r->h_cap * 2 : 1024;
		uint32_t *a = realloc(r->h_row, sizeof(uint32_t) * cap), *b;
		if (!a)
			return false;
		r->h_row = a;
		if (!(b = realloc(r->h_slot, sizeof(uint32_t) * cap)))
			return false;
		r->h_slot = b;
		double *c = realloc(r->h_count, sizeof(double) * cap);
		if (!c)
			return false;
		r->h_count = c;
		r->h_cap = cap;
	}
	r->h_row[r->h_rows] = row;
	r->h_slot[r->h_rows] = slot;
	r->h_count[r->h_rows++] = n;
	return true;
}

static uint64_t rd_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static int64_t rd_s64(const uint8_t *p) { int64_t v; memcpy(&v, p, 8); return v; }

/* Merges one key's per-CPU copies (stride bytes apart) into a row. */
static bool merge_one(struct merged *r, const pb_col *cols, const uint8_t *key, const uint8_t *val, size_t stride,
		      int ncpu, const struct value_layout *L, uint64_t *slots)
{
	uint64_t count = 0;
	int64_t sum = 0, mn = 0, mx = 0;
	bool any = false;
	uint32_t row = r->keys->rows;

	if (L->nslots)
		memset(slots, 0, sizeof(uint64_t) * L->nslots);
	for (int c = 0; c < ncpu; c++) {
		const uint8_t *v = val + (size_t)c * stride;
		uint64_t n = rd_u64(v + L->count);
		if (!n)
			continue; /* this CPU never saw the key: its min/max are unset */
		int64_t lo = rd_s64(v + L->min), hi = rd_s64(v + L->max);
		count += n;
		sum += rd_s64(v + L->sum);
		if (!any || lo < mn)
			mn = lo;
		if (!any || hi > mx)
			mx = hi;
		any = true;
		for (uint32_t s = 0; s < L->nslots; s++)
			slots[s] += rd_u64(v + L->slots + 8 * s);
	}
	if (!any)
		return true; /* inserted, never folded (a racing insert): not a row */
	if (row == r->cap && !grow_keys(r))
		return false;
	if (r->keys->rows == r->keys->cap_rows) {
		/* pb_batch has a fixed row capacity: start big enough (see read_aggregate) */
		return false;
	}
	if (!pb_batch_append(r->keys, cols, key, SIZE_MAX /* keys: the layout was checked against the key size */))
		return false;
	r->count[row] = (double)count;
	r->sum[row] = (double)sum;
	r->min[row] = (double)mn;
	r->max[row] = (double)mx;
	for (uint32_t s = 0; s < L->nslots; s++)
		if (slots[s] && !add_slot(r, row, s, (double)slots[s]))
			return false;
	return true;
}

static bool get_u32_prop(napi_env env, napi_value o, const char *k, uint32_t *out)
{
	napi_value v;
	char what[64];

	snprintf(what, sizeof(what), "value layout .%s", k);
	return napi_get_named_property(env, o, k, &v) == napi_ok && pb_arg_u32(env, v, what, out);
}

/* A JS copy of n elements of `size` bytes (merged arrays are freed after the call). */
static napi_value copy_array(napi_env env, napi_typedarray_type t, size_t size, const void *d, uint32_t n)
{
	napi_value ab, ta;
	void *p;

	PB_CHECK(env, napi_create_arraybuffer(env, size * n, &p, &ab));
	if (n)
		memcpy(p, d, size * n);
	PB_CHECK(env, napi_create_typedarray(env, t, n, ab, 0, &ta));
	return ta;
}

static napi_value f64_array(napi_env env, const double *d, uint32_t n)
{
	return copy_array(env, napi_float64_array, sizeof(*d), d, n);
}

static napi_value u32_array(napi_env env, const uint32_t *d, uint32_t n)
{
	return copy_array(env, napi_uint32_array, sizeof(*d), d, n);
}

/* Reads every element: batched when the kernel can, else one by one. With
 * `del`, what was read is deleted (the map must not be updated meanwhile: the
 * runtime only drains a generation no program writes). */
static int read_all(int fd, struct bpf_map *m, bool del, uint8_t **keys_out, uint8_t **vals_out, uint32_t *n_out,
		    int ncpu, bool *batched)
{
	uint32_t ksz = bpf_map__key_size(m), max = bpf_map__max_entries(m);
	size_t vsz = user_value_size(m, ncpu);
	uint8_t *keys = malloc((size_t)ksz * (max + 1)), *vals = malloc(vsz * (max + 1));
	uint64_t in_tok[8], out_tok[8]; /* hash maps use a u32 bucket index; arrays a key */
	uint32_t total = 0;
	bool first = true;
	int err = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (!keys || !vals || ksz > sizeof(in_tok)) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	*batched = true;
	for (;;) {
		uint32_t count = max - total;
		if (count == 0)
			break;
		err = del ? bpf_map_lookup_and_delete_batch(fd, first ? NULL : in_tok, out_tok, keys + (size_t)total * ksz,
							    vals + vsz * total, &count, &opts)
			  : bpf_map_lookup_batch(fd, first ? NULL : in_tok, out_tok, keys + (size_t)total * ksz,
						 vals + vsz * total, &count, &opts);
		if (err && errno != ENOENT && first && total == 0 &&
		    (errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP || errno == ENOSYS))
			goto iterate;
		total += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		memcpy(in_tok, out_tok, sizeof(in_tok));
		first = false;
	}
	*keys_out = keys, *vals_out = vals, *n_out = total;
	return err;

iterate:
	*batched = false;
	total = 0;
	{
		uint8_t *prev = NULL;
		while (total < max && bpf_map_get_next_key(fd, prev, keys + (size_t)total * ksz) == 0) {
			prev = keys + (size_t)total * ksz;
			if (bpf_map_lookup_elem(fd, prev, vals + vsz * total) == 0)
				total++;
			else if (errno != ENOENT) { /* deleted meanwhile: skip */
				err = -errno;
				break;
			}
		}
		if (del)
			for (uint32_t i = 0; i < total; i++)
				bpf_map_delete_elem(fd, keys + (size_t)i * ksz);
	}
	*keys_out = keys, *vals_out = vals, *n_out = total;
	return err;
}

/* readAggregate(map, keyLayout, valueLayout, { delete? }) ->
 *   { rows, columns: { <key columns>, count, sum, min, max }, batched,
 *     slots: { rows, row: Uint32Array, slot: Uint32Array, count: Float64Array } } */
napi_value pb_map_read_aggregate(napi_env env, napi_callback_info info)
{
	size_t argc = 4;
	napi_value argv[4], out = NULL, columns, slots, v;
	char name[64];
	pb_object *o = pb_object_this(env, info, &argc, argv, NULL, true);
	struct bpf_map *m;
	struct value_layout L;
	struct merged r = { 0 };
	pb_col *cols = NULL;
	size_t ncols = 0, stride;
	uint8_t *keys = NULL, *vals = NULL;
	uint64_t *slotbuf = NULL;
	uint32_t n = 0;
	bool del = false, batched = false;
	int ncpu = libbpf_num_possible_cpus(), err;

	if (!o || argc < 3 || !(m = map_arg(env, o, argv[0], name, sizeof(name), true, "read the aggregation")))
		return NULL;
	if (bpf_map__type(m) != BPF_MAP_TYPE_PERCPU_HASH) {
		pb_throw_state(env, "ERR_BPF_NO_MAP", "map %s of %s is not a per-CPU hash", name, o->path);
		return NULL;
	}
	uint32_t nkeycols = 0;
	bool is_arr = false;
	napi_is_array(env, argv[1], &is_arr);
	if (is_arr)
		napi_get_array_length(env, argv[1], &nkeycols);
	/* no key columns: one all-zero key (an aggregation without keys) */
	if (!(is_arr && nkeycols == 0) && !pb_layout_parse(env, argv[1], bpf_map__key_size(m), &cols, &ncols))
		return NULL;
	if (!get_u32_prop(env, argv[2], "count", &L.count) || !get_u32_prop(env, argv[2], "sum", &L.sum) ||
	    !get_u32_prop(env, argv[2], "min", &L.min) || !get_u32_prop(env, argv[2], "max", &L.max) ||
	    !get_u32_prop(env, argv[2], "slots", &L.slots) || !get_u32_prop(env, argv[2], "nslots", &L.nslots))
		goto done;
	if (argc > 3) {
		napi_valuetype t;
		napi_value d;
		napi_typeof(env, argv[3], &t);
		if (t == napi_object && napi_get_named_property(env, argv[3], "delete", &d) == napi_ok) {
			napi_typeof(env, d, &t);
			if (t == napi_boolean)
				napi_get_value_bool(env, d, &del);
		}
	}
	uint32_t vs = bpf_map__value_size(m);
	if (L.count + 8 > vs || L.sum + 8 > vs || L.min + 8 > vs || L.max + 8 > vs ||
	    (uint64_t)L.slots + 8ull * L.nslots > vs) {
		pb_throw_type(env, "value layout does not fit map %s's %u-byte values", name, vs);
		goto done;
	}
	stride = ((size_t)vs + 7) & ~(size_t)7;
	err = read_all(bpf_map__fd(m), m, del, &keys, &vals, &n, ncpu, &batched);
	if (err) {
		pb_throw_errno(env, -err, "read map %s%s", name, del ? " (and delete)" : "");
		goto done;
	}
	r.keys = pb_batch_new(cols, ncols, n ? n : 1);
	slotbuf = calloc(L.nslots ? L.nslots : 1, sizeof(uint64_t));
	if (!r.keys || !slotbuf || !grow_keys(&r)) {
		pb_throw_errno(env, ENOMEM, "read map %s", name);
		goto done;
	}
	for (uint32_t i = 0; i < n; i++)
		if (!merge_one(&r, cols, keys + (size_t)i * bpf_map__key_size(m), vals + stride * ncpu * i, stride, ncpu,
			       &L, slotbuf)) {
			pb_throw_errno(env, ENOMEM, "merge the values of map %s", name);
			goto done;
		}
	if (!(out = pb_batch_to_js(env, r.keys, cols)))
		goto done;
	napi_get_named_property(env, out, "columns", &columns);
	if (!(v = f64_array(env, r.count, r.keys->rows)) || napi_set_named_property(env, columns, "count", v) != napi_ok ||
	    !(v = f64_array(env, r.sum, r.keys->rows)) || napi_set_named_property(env, columns, "sum", v) != napi_ok ||
	    !(v = f64_array(env, r.min, r.keys->rows)) || napi_set_named_property(env, columns, "min", v) != napi_ok ||
	    !(v = f64_array(env, r.max, r.keys->rows)) || napi_set_named_property(env, columns, "max", v) != napi_ok) {
		out = NULL;
		goto done;
	}
	napi_create_object(env, &slots);
	pb_set_prop_num(env, slots, "rows", r.h_rows);
	if (!(v = u32_array(env, r.h_row, r.h_rows)) || napi_set_named_property(env, slots, "row", v) != napi_ok ||
	    !(v = u32_array(env, r.h_slot, r.h_rows)) || napi_set_named_property(env, slots, "slot", v) != napi_ok ||
	    !(v = f64_array(env, r.h_count, r.h_rows)) || napi_set_named_property(env, slots, "count", v) != napi_ok) {
		out = NULL;
		goto done;
	}
	napi_set_named_property(env, out, "slots", slots);
	napi_get_boolean(env, batched, &v);
	napi_set_named_property(env, out, "batched", v);
done:
	free(cols);
	free(keys);
	free(vals);
	free(slotbuf);
	pb_batch_free(r.keys);
	free(r.count), free(r.sum), free(r.min), free(r.max);
	free(r.h_row), free(r.h_slot), free(r.h_count);
	return out;
}
