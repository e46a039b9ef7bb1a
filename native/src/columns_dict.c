/* Dictionary-encoded text columns ("cstring_dict") and zero-copy hand-over of
 * column buffers. A comm or a path takes few distinct values in a batch: the
 * reader thread keeps each batch's distinct strings once (a small hash table)
 * and a uint32 code per row, so the JS thread creates one string per distinct
 * value instead of one per event, and JS expands or keeps the codes. Numeric
 * buffers become external ArrayBuffers: the bytes decoded on the reader thread
 * are the ones JS reads, with no copy on the JS thread. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "columns.h"

bool pb_dict_init(pb_colbuf *c, uint32_t cap_rows)
{
	uint32_t n = 16;

	while (n < cap_rows * 2u)
		n *= 2;
	c->nslots = n;
	c->slots = calloc(n, sizeof(*c->slots));
	c->dict_ends = malloc(sizeof(*c->dict_ends) * (cap_rows ? cap_rows : 1));
	c->dict_cap = 1024;
	c->dict = malloc(c->dict_cap);
	return c->slots && c->dict_ends && c->dict;
}

void pb_dict_free(pb_colbuf *c)
{
	free(c->slots);
	free(c->dict_ends);
	free(c->dict);
	c->slots = c->dict_ends = NULL;
	c->dict = NULL;
}

static uint32_t hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

bool pb_dict_append(pb_colbuf *c, const uint8_t *src, uint32_t len, uint32_t row)
{
	size_t n = strnlen((const char *)src, len);
	uint32_t mask = c->nslots - 1, i = hash(src, n) & mask, code;

	for (;; i = (i + 1) & mask) {
		if (!c->slots[i]) { /* new value: append it to the dictionary */
			if (c->dict_used + n > c->dict_cap) {
				size_t cap = c->dict_cap * 2;
				while (cap < c->dict_used + n)
					cap *= 2;
				uint8_t *p = realloc(c->dict, cap);
				if (!p)
					return false;
				c->dict = p;
				c->dict_cap = cap;
			}
			memcpy(c->dict + c->dict_used, src, n);
			c->dict_used += n;
			code = c->ndict++;
			c->dict_ends[code] = (uint32_t)c->dict_used;
			c->slots[i] = code + 1;
			break;
		}
		code = c->slots[i] - 1;
		uint32_t start = code ? c->dict_ends[code - 1] : 0;
		if (c->dict_ends[code] - start == n && !memcmp(c->dict + start, src, n))
			break;
	}
	memcpy(c->data + (size_t)row * 4, &code, 4);
	c->used = ((size_t)row + 1) * 4;
	return true;
}

/* Buffers detached by releaseColumns() whose free is still to come; the last
 * one trims the heap (both run on the JS thread: finalizers are called there). */
static size_t trim_after;

static void free_buffer(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	free(data);
	/* The reader thread's malloc arena keeps freed batch buffers resident unless
	 * trimmed: a 1M-row run's 16 MB of batches stayed in the RSS. */
	if (trim_after && --trim_after == 0)
		malloc_trim(0);
}

/* Detaches the ArrayBuffer under `v` (a batch's typed array); true when it was ours to free. */
static bool detach_view(napi_env env, napi_value v)
{
	bool is_ta = false, detached = false;
	napi_value ab;
	void *data = NULL;
	size_t length = 0;

	if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
	    napi_get_typedarray_info(env, v, NULL, NULL, NULL, &ab, NULL) != napi_ok ||
	    napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok || detached ||
	    napi_get_arraybuffer_info(env, ab, &data, &length) != napi_ok || !length)
		return false;
	return napi_detach_arraybuffer(env, ab) == napi_ok;
}

/* releaseColumns(columns): a batch's buffers go now, not when the GC finds them: its
 * typed arrays (and dictionary codes) are detached, their memory freed and the heap
 * trimmed. The caller copied what it keeps (the batch's arrays read as empty after). */
napi_value pb_release_columns(napi_env env, napi_callback_info info)
{
	size_t argc = 1, n = 0, released = 0;
	napi_value argv[1], names, name, v, codes, r;
	napi_valuetype t;

	PB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object) {
		pb_throw_type(env, "releaseColumns(columns) needs a batch's columns object");
		return NULL;
	}
	PB_CHECK(env, napi_get_property_names(env, argv[0], &names));
	PB_CHECK(env, napi_get_array_length(env, names, (uint32_t *)&n));
	for (uint32_t i = 0; i < n; i++) {
		bool has = false;

		PB_CHECK(env, napi_get_element(env, names, i, &name));
		PB_CHECK(env, napi_get_property(env, argv[0], name, &v));
		if (detach_view(env, v)) {
			released++;
		} else if (napi_typeof(env, v, &t) == napi_ok && t == napi_object &&
			   napi_has_named_property(env, v, "codes", &has) == napi_ok && has &&
			   napi_get_named_property(env, v, "codes", &codes) == napi_ok && detach_view(env, codes)) {
			released++;
		}
	}
	trim_after += released;
	napi_create_uint32(env, (uint32_t)released, &r);
	return r;
}

/* A typed array over the column's own buffer (taken from c: freed by the GC). */
napi_value pb_external_array(napi_env env, pb_colbuf *c, napi_typedarray_type t, uint32_t rows)
{
	napi_value ab, ta;
	void *p;

	if (c->used && c->cap - c->used > 4096) { /* a short batch: give back the unused tail */
		void *q = realloc(c->data, c->used);
		if (q) {
			c->data = q;
			c->cap = c->used;
		}
	}
	if (c->used && napi_create_external_arraybuffer(env, c->data, c->used, free_buffer, NULL, &ab) == napi_ok) {
		c->data = NULL;
		c->cap = 0;
	} else { /* empty, or externals refused by this runtime: copy */
		bool pending = false;
		napi_is_exception_pending(env, &pending);
		if (pending) {
			napi_value ignored;
			napi_get_and_clear_last_exception(env, &ignored);
		}
		PB_CHECK(env, napi_create_arraybuffer(env, c->used, &p, &ab));
		if (c->used)
			memcpy(p, c->data, c->used);
	}
	PB_CHECK(env, napi_create_typedarray(env, t, rows, ab, 0, &ta));
	return ta;
}

/* { codes: Uint32Array (one per row), dictionary: string[] (the batch's distinct values) } */
napi_value pb_dict_to_js(napi_env env, pb_colbuf *c, uint32_t rows)
{
	napi_value out, codes, dict, s;
	uint32_t start = 0;

	PB_CHECK(env, napi_create_array_with_length(env, c->ndict, &dict));
	for (uint32_t k = 0; k < c->ndict; k++) {
		PB_CHECK(env, napi_create_string_utf8(env, (const char *)c->dict + start, c->dict_ends[k] - start, &s));
		PB_CHECK(env, napi_set_element(env, dict, k, s));
		start = c->dict_ends[k];
	}
	if (!(codes = pb_external_array(env, c, napi_uint32_array, rows)))
		return NULL;
	PB_CHECK(env, napi_create_object(env, &out));
	PB_CHECK(env, napi_set_named_property(env, out, "codes", codes));
	PB_CHECK(env, napi_set_named_property(env, out, "dictionary", dict));
	return out;
}
