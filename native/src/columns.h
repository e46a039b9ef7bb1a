/* Column batches: ring-buffer records decoded in C, column by column, by a
 * layout given from JS; handed to JS as typed arrays and string arrays. */
#ifndef PB_COLUMNS_H
#define PB_COLUMNS_H
#include "common.h"

typedef enum {
	PB_U8, PB_U16, PB_U32, PB_U64, PB_S8, PB_S16, PB_S32, PB_S64,
	PB_U64_F64, PB_S64_F64, /* 64-bit integers delivered as Float64Array */
	PB_CSTRING,             /* NUL-terminated within `len` bytes -> string */
	PB_HEX,                 /* `len` raw bytes -> lowercase hex string */
	PB_CSTRING_DICT,        /* like PB_CSTRING, dictionary-encoded per batch (columns_dict.c) */
	PB_BYTES,               /* raw bytes, as many as the u32 at `len_at` says (at most `len`) -> Uint8Array */
} pb_col_kind;

typedef struct {
	char name[64];
	uint32_t offset, len; /* len: strings' byte budget; numbers' element size */
	uint32_t len_at;      /* PB_BYTES: offset of the u32 holding the row's byte count */
	pb_col_kind kind;
} pb_col;

typedef struct {
	uint8_t *data; /* numbers: rows * element size; strings: concatenated bytes */
	size_t used, cap;
	uint32_t *ends; /* strings: end offset of each row in data */
	/* PB_CSTRING_DICT: data holds a uint32 code per row; the batch's distinct
	 * strings are dict (concatenated) with dict_ends; slots is their hash table */
	uint8_t *dict;
	size_t dict_used, dict_cap;
	uint32_t *dict_ends, ndict, *slots, nslots;
} pb_colbuf;

typedef struct {
	uint32_t rows, cap_rows;
	size_t ncols;
	pb_colbuf cols[];
} pb_batch;

/* Parses [{name, offset, kind, length?, lengthAt?}]; throws and returns false on bad input. */
bool pb_layout_parse(napi_env env, napi_value arr, uint32_t record_size, pb_col **cols, size_t *ncols);
/* Bytes a record must have: all of it, or with a PB_BYTES column (whose record
 * may end early: a variable-length payload), everything up to that column. */
uint32_t pb_layout_min_size(const pb_col *cols, size_t ncols, uint32_t record_size);
pb_batch *pb_batch_new(const pb_col *cols, size_t ncols, uint32_t cap_rows);
/* Appends one record of `size` bytes (at least pb_layout_min_size: checked by the caller);
 * false when out of memory. */
bool pb_batch_append(pb_batch *b, const pb_col *cols, const uint8_t *rec, size_t size);
void pb_batch_free(pb_batch *b);
/* { rows, columns: { name: TypedArray | string[] | {codes, dictionary} } }. The
 * numeric buffers are handed to JS without a copy (external ArrayBuffers): b
 * must only be freed afterwards. */
napi_value pb_batch_to_js(napi_env env, pb_batch *b, const pb_col *cols);

/* columns_dict.c */
bool pb_dict_init(pb_colbuf *c, uint32_t cap_rows);
void pb_dict_free(pb_colbuf *c);
bool pb_dict_append(pb_colbuf *c, const uint8_t *src, uint32_t len, uint32_t row);
napi_value pb_dict_to_js(napi_env env, pb_colbuf *c, uint32_t rows);
napi_value pb_external_array(napi_env env, pb_colbuf *c, napi_typedarray_type t, uint32_t rows);
napi_value pb_release_columns(napi_env env, napi_callback_info info);

#endif
