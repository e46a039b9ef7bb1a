/* Dictionary-encoded text columns ("cstring_dict") and zero-copy hand-over of
 * column buffers. A comm or a path takes few distinct values in a batch: the
 * reader thread keeps each batch's distinct strings once (a small hash table)
 * and a uint32 code per row, so the JS thread creates one string per distinct
 * value instead of one per event, and JS expands or keeps the codes. Numeric
 * buffers become external ArrayBuffers: the bytes decoded on the reader thread
 * are the ones JS reads, with no copy on the JS thread. */
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

static void free_buffer(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	free(data);
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
