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
} pb_col_kind;

typedef struct {
	char name[64];
	uint32_t offset, len; /* len: strings' byte budget; numbers' element size */
	pb_col_kind kind;
} pb_col;

typedef struct {
	uint8_t *data; /* numbers: rows * element size; strings: concatenated bytes */
	size_t used, cap;
	uint32_t *ends; /* strings: end offset of each row in data */
} pb_colbuf;

typedef struct {
	uint32_t rows, cap_rows;
	size_t ncols;
	pb_colbuf cols[];
} pb_batch;

/* Parses [{name, offset, kind, length?}]; throws and returns false on bad input. */
bool pb_layout_parse(napi_env env, napi_value arr, uint32_t record_size, pb_col **cols, size_t *ncols);
pb_batch *pb_batch_new(const pb_col *cols, size_t ncols, uint32_t cap_rows);
/* Appends one record (size already checked); false when out of memory. */
bool pb_batch_append(pb_batch *b, const pb_col *cols, const uint8_t *rec);
void pb_batch_free(pb_batch *b);
/* { rows, columns: { name: TypedArray | string[] } } */
napi_value pb_batch_to_js(napi_env env, const pb_batch *b, const pb_col *cols);

#endif
