/* tls: the plaintext of TLS traffic, at OpenSSL's SSL_read/SSL_write and
 * SSL_read_ex/SSL_write_ex, read at each call's return, as one ring-buffer
 * record per call (its bytes, up to a cap) or folded into the keyed
 * aggregation of agg_common.h.
 *
 * The one description of the template's layouts (contract 2): the BPF side
 * includes it, the TypeScript side reads it from the compiled object's BTF
 * (bpf/generated/tls.ts). */
#ifndef PB_TLS_H
#define PB_TLS_H

#include "filter.h"
#include "agg_common.h"

/* The function a probe is on: the low byte of its attach cookie (the library's
 * index in the plan is the next 16 bits). Bit 0 is the direction. */
enum __attribute__((packed)) tls_function {
	TLS_FN_SSL_READ = 0,     /* int SSL_read(SSL *, void *buf, int num): returns bytes read, or <= 0 */
	TLS_FN_SSL_WRITE = 1,    /* int SSL_write(SSL *, const void *buf, int num) */
	TLS_FN_SSL_READ_EX = 2,  /* int SSL_read_ex(SSL *, void *buf, size_t num, size_t *readbytes): 1 or 0 */
	TLS_FN_SSL_WRITE_EX = 3, /* int SSL_write_ex(SSL *, const void *buf, size_t num, size_t *written) */
};

enum __attribute__((packed)) tls_direction {
	TLS_DIR_READ = 0,
	TLS_DIR_WRITE = 1,
};

/* Bytes of plaintext a record can carry at most (the planner's limit on the cap). */
#define TLS_CAP_MAX (1 << 20)

/* A thread's call in progress, saved at its entry for its return (pb_tls_calls). */
struct tls_call {
	__u64 buf;    /* the plaintext buffer: filled by SSL_read by the time it returns */
	__u64 nbytes; /* _ex: the size_t * where the function stores the bytes it moved */
	__u64 cookie; /* function | library << 8 */
	__u64 active; /* 1 from the entry to its return */
};

/* What a call moved: read by the filter's predicates and the aggregation's
 * keys and value (offsets in this struct), and the start of every record's payload. */
struct tls_values {
	__s64 ret;       /* the return value, as the C int it is (negative: an error) */
	__u64 len;       /* bytes the call moved (the return value, or *nbytes for _ex) */
	__u32 captured;  /* bytes copied into the record: min(len, cap) */
	enum tls_direction direction;
	enum tls_function function;
	__u16 library;   /* index of the library (or binary) in the plan */
};

/* One record per call that moved bytes; `captured` bytes of plaintext follow
 * (the record is reserved in size classes, so it may end early). */
struct tls_event {
	struct pb_event_header header;
	struct tls_values v;
	__u8 data[];
};

struct tls_config {
	struct pb_filter filter; /* predicates read struct tls_values */
	struct agg_plan agg;     /* aggregate: keys and the folded value read struct tls_values */
	__u32 cap;               /* bytes copied per call at most (<= TLS_CAP_MAX) */
	__u8 aggregate;          /* 1: fold into pb_agg0/1, no records; 0: records to pb_events */
	__u8 _pad[3];
	__u64 wakeup_bytes;      /* as in tp_events: wake the reader only for a backlog */
};

#endif
