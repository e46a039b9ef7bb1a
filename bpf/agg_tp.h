/* agg_tp: a keyed in-kernel aggregation over any classic tracepoint.
 *
 * The one description of the template's configuration (contract 2): the BPF
 * side includes it, the TypeScript side reads the same structs from the
 * compiled object's BTF (bpf/generated/agg_tp.ts). The filter and the
 * aggregation plan are the shared ones (filter.h, agg_common.h).
 */
#ifndef PB_AGG_TP_H
#define PB_AGG_TP_H

#include "filter.h"
#include "agg_common.h"

struct agg_tp_config {
	struct pb_filter filter;
	struct agg_plan agg;
};

#endif
