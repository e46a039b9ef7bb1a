/* Decoding of fixed-layout records into column batches (runs on the reader
 * thread) and their conversion to JS values (runs on the JS thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "columns.h"

static const struct {
	const char *name;
	pb_col_kind kind;
	uint32_t size; /* bytes read from the record (0: from `length`) */
	uint32_t out;  /* bytes per row in the column buffer (0: variable) */
} kinds[] = {
	{ "u8", PB_U8, 1, 1 },   { "u16", PB_U16, 2, 2 },	  { "u32", PB_U32, 4, 4 },
	{ "u64", PB_U64, 8, 8 }, { "s8", PB_S8, 1, 1 },		  { "s16", PB_S16, 2, 2 },
	{ "s32", PB_S32, 4, 4 }, { "s64", PB_S64, 8, 8 },	  { "u64_f64", PB_U64_F64, 8, 8 },
	{ "s64_f64", PB_S64_F64, 8, 8 }, { "cstring", PB_CSTRING, 0, 0 }, { "hex", PB_HEX, 0, 0 },
	{ "cstring_dict", PB_CSTRING_DICT, 0, 4 }, { "bytes", PB_BYTES, 0, 0 },
};

static uint32_t out_size(pb_col_kind k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == k)
			return kinds[i].out;
	return 0;
}

static bool get_prop(napi_env env, napi_value o, const char *k, napi_value *v, napi_valuetype want, bool optional)
{
	napi_valuetype t;
	if (napi_get_named_property(env, o, k, v) != napi_ok)
		return false;
	napi_typeof(env, *v, &t);
	if (t == want)
		return true;
	if (optional && t == napi_undefined) {
		*v = NULL;
		return true;
	}
	return false;
}

bool pb_layout_parse(napi_env env, napi_value arr, uint32_t record_size, pb_col **out, size_t *nout)
{
	bool is_arr = false;
	uint32_t n = 0;
	pb_col *cols;

	napi_is_array(env, arr, &is_arr);
	if (!is_arr || napi_get_array_length(env, arr, &n) != napi_ok || n == 0 || n > 256) {
		pb_throw_type(env, "layout must be an array of 1..256 columns");
		return false;
	}
	cols = calloc(n, sizeof(*cols));
	if (!cols) {
		pb_throw_errno(env, 12, "parse column layout");
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		napi_value c, name, off, kind, len;
		char kbuf[16], what[64];
		size_t k;
		snprintf(what, sizeof(what), "layout[%u]", i);
		if (napi_get_element(env, arr, i, &c) != napi_ok || !get_prop(env, c, "name", &name, napi_string, false) ||
		    !get_prop(env, c, "offset", &off, napi_number, false) ||
		    !get_prop(env, c, "kind", &kind, napi_string, false) ||
		    !get_prop(env, c, "length", &len, napi_number, true)) {
			pb_throw_type(env, "%s must be {name: string, offset: number, kind: string, length?: number, lengthAt?: number}", what);
			goto fail;
		}
		if (!pb_arg_string(env, name, "column name", cols[i].name, sizeof(cols[i].name)) ||
		    !pb_arg_u32(env, off, "column offset", &cols[i].offset) ||
		    !pb_arg_string(env, kind, "column kind", kbuf, sizeof(kbuf)))
			goto fail;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(kinds[k].name, kbuf))
				break;
		if (k == sizeof(kinds) / sizeof(kinds[0])) {
			pb_throw_type(env, "%s (%s): unknown kind \"%s\" (u8 u16 u32 u64 s8 s16 s32 s64 u64_f64 "
					   "s64_f64 cstring cstring_dict hex bytes)", what, cols[i].name, kbuf);
			goto fail;
		}
		cols[i].kind = kinds[k].kind;
		cols[i].len = kinds[k].size;
		if (!kinds[k].size) {
			if (!len || !pb_arg_u32(env, len, "column length", &cols[i].len) || cols[i].len == 0) {
				if (!len)
					pb_throw_type(env, "%s (%s): kind %s needs a length", what, cols[i].name, kbuf);
				goto fail;
			}
		}
		if ((uint64_t)cols[i].offset + cols[i].len > record_size) {
			pb_throw_type(env, "%s (%s): bytes %u..%u lie outside the %u-byte record", what, cols[i].name,
				      cols[i].offset, cols[i].offset + cols[i].len, record_size);
			goto fail;
		}
		if (cols[i].kind == PB_BYTES) {
			napi_value at;
			if (!get_prop(env, c, "lengthAt", &at, napi_number, false) ||
			    !pb_arg_u32(env, at, "column lengthAt", &cols[i].len_at) ||
			    (uint64_t)cols[i].len_at + 4 > cols[i].offset) {
				pb_throw_type(env, "%s (%s): kind bytes needs lengthAt, the offset of a u32 byte count before "
						   "the bytes (offset %u)", what, cols[i].name, cols[i].offset);
				goto fail;
			}
		}
	}
	for (uint32_t i = 0; i < n; i++)
		if (cols[i].kind == PB_BYTES && (i != n - 1 || pb_layout_min_size(cols, n, record_size) > cols[i].offset)) {
			pb_throw_type(env, "%s: a bytes column must be the last column, after every other byte of the layout",
				      cols[i].name);
			goto fail;
		}
	*out = cols;
	*nout = n;
	return true;
fail:
	free(cols);
	return false;
}

uint32_t pb_layout_min_size(const pb_col *cols, size_t ncols, uint32_t record_size)
{
	uint32_t min = 0;
	bool variable = false;

	for (size_t i = 0; i < ncols; i++) {
		if (cols[i].kind == PB_BYTES) {
			variable = true;
			continue;
		}
		if (cols[i].offset + cols[i].len > min)
			min = cols[i].offset + cols[i].len;
	}
	return variable ? min : record_size;
}

pb_batch *pb_batch_new(const pb_col *cols, size_t ncols, uint32_t cap_rows)
{
	pb_batch *b = calloc(1, sizeof(*b) + ncols * sizeof(pb_colbuf));

	if (!b)
		return NULL;
	b->cap_rows = cap_rows;
	b->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		uint32_t sz = out_size(cols[i].kind);
		pb_colbuf *c = &b->cols[i];
		if (cols[i].kind == PB_CSTRING_DICT) {
			c->cap = (size_t)sz * cap_rows;
			if (!pb_dict_init(c, cap_rows))
				goto fail;
		} else if (sz) {
			c->cap = (size_t)sz * cap_rows;
		} else {
			c->cap = (size_t)cap_rows * 16;
			c->ends = malloc(sizeof(uint32_t) * cap_rows);
			if (!c->ends)
				goto fail;
		}
		c->data = malloc(c->cap);
		if (!c->data)
			goto fail;
	}
	return b;
fail:
	pb_batch_free(b);
	return NULL;
}

void pb_batch_free(pb_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->ncols; i++) {
		free(b->cols[i].data);
		free(b->cols[i].ends);
		pb_dict_free(&b->cols[i]);
	}
	free(b);
}

static bool reserve(pb_colbuf *c, size_t more)
{
	if (c->used + more <= c->cap)
		return true;
	size_t cap = c->cap * 2;
	while (cap < c->used + more)
		cap *= 2;
	uint8_t *p = realloc(c->data, cap);
	if (!p)
		return false;
	c->data = p;
	c->cap = cap;
	return true;
}

bool pb_batch_append(pb_batch *b, const pb_col *cols, const uint8_t *rec, size_t size)
{
	static const char hexd[] = "0123456789abcdef";

	for (size_t i = 0; i < b->ncols; i++) {
		const pb_col *col = &cols[i];
		pb_colbuf *c = &b->cols[i];
		const uint8_t *src = rec + col->offset;
		switch (col->kind) {
		case PB_U64_F64:
		case PB_S64_F64: {
			uint64_t v;
			memcpy(&v, src, 8);
			double d = col->kind == PB_U64_F64 ? (double)v : (double)(int64_t)v;
			memcpy(c->data + c->used, &d, 8);
			c->used += 8;
			break;
		}
		case PB_CSTRING: {
			size_t n = strnlen((const char *)src, col->len);
			if (!reserve(c, n))
				return false;
			memcpy(c->data + c->used, src, n);
			c->used += n;
			c->ends[b->rows] = (uint32_t)c->used;
			break;
		}
		case PB_CSTRING_DICT:
			if (!pb_dict_append(c, src, col->len, b->rows))
				return false;
			break;
		case PB_BYTES: {
			uint32_t n;
			memcpy(&n, rec + col->len_at, 4);
			if (n > col->len)
				n = col->len;
			if (col->offset + (size_t)n > size) /* never trust the count beyond the record */
				n = size > col->offset ? (uint32_t)(size - col->offset) : 0;
			if (!reserve(c, n))
				return false;
			memcpy(c->data + c->used, src, n);
			c->used += n;
			c->ends[b->rows] = (uint32_t)c->used;
			break;
		}
		case PB_HEX:
			if (!reserve(c, (size_t)col->len * 2))
				return false;
			for (uint32_t k = 0; k < col->len; k++) {
				c->data[c->used++] = hexd[src[k] >> 4];
				c->data[c->used++] = hexd[src[k] & 15];
			}
			c->ends[b->rows] = (uint32_t)c->used;
			break;
		default: /* fixed-size integers: copied as they are (little-endian host) */
			memcpy(c->data + c->used, src, col->len);
			c->used += col->len;
			break;
		}
	}
	b->rows++;
	return true;
}

static napi_value numbers_to_js(napi_env env, pb_colbuf *c, pb_col_kind kind, uint32_t rows)
{
	napi_typedarray_type t;

	switch (kind) {
	case PB_U8: t = napi_uint8_array; break;
	case PB_U16: t = napi_uint16_array; break;
	case PB_U32: t = napi_uint32_array; break;
	case PB_U64: t = napi_biguint64_array; break;
	case PB_S8: t = napi_int8_array; break;
	case PB_S16: t = napi_int16_array; break;
	case PB_S32: t = napi_int32_array; break;
	case PB_S64: t = napi_bigint64_array; break;
	default: t = napi_float64_array; break;
	}
	return pb_external_array(env, c, t, rows);
}

static napi_value strings_to_js(napi_env env, const pb_colbuf *c, uint32_t rows)
{
	napi_value arr, s;
	uint32_t start = 0;

	PB_CHECK(env, napi_create_array_with_length(env, rows, &arr));
	for (uint32_t r = 0; r < rows; r++) {
		PB_CHECK(env, napi_create_string_utf8(env, (const char *)c->data + start, c->ends[r] - start, &s));
		PB_CHECK(env, napi_set_element(env, arr, r, s));
		start = c->ends[r];
	}
	return arr;
}

/* One Uint8Array per row, each over its own copy of the row's bytes. */
static napi_value bytes_to_js(napi_env env, const pb_colbuf *c, uint32_t rows)
{
	napi_value arr, ab, view;
	uint32_t start = 0;
	void *mem;

	PB_CHECK(env, napi_create_array_with_length(env, rows, &arr));
	for (uint32_t r = 0; r < rows; r++) {
		size_t n = c->ends[r] - start;
		PB_CHECK(env, napi_create_arraybuffer(env, n, &mem, &ab));
		if (n)
			memcpy(mem, c->data + start, n);
		PB_CHECK(env, napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &view));
		PB_CHECK(env, napi_set_element(env, arr, r, view));
		start = c->ends[r];
	}
	return arr;
}

napi_value pb_batch_to_js(napi_env env, pb_batch *b, const pb_col *cols)
{
	napi_value out, columns, v;

	PB_CHECK(env, napi_create_object(env, &out));
	PB_CHECK(env, napi_create_object(env, &columns));
	for (size_t i = 0; i < b->ncols; i++) {
		if (cols[i].kind == PB_CSTRING_DICT)
			v = pb_dict_to_js(env, &b->cols[i], b->rows);
		else if (cols[i].kind == PB_CSTRING || cols[i].kind == PB_HEX)
			v = strings_to_js(env, &b->cols[i], b->rows);
		else if (cols[i].kind == PB_BYTES)
			v = bytes_to_js(env, &b->cols[i], b->rows);
		else
			v = numbers_to_js(env, &b->cols[i], cols[i].kind, b->rows);
		if (!v)
			return NULL;
		PB_CHECK(env, napi_set_named_property(env, columns, cols[i].name, v));
	}
	pb_set_prop_num(env, out, "rows", b->rows);
	PB_CHECK(env, napi_set_named_property(env, out, "columns", columns));
	return out;
}
