/* feature_probes: tiny programs, one per hook kind, that runtime/host/features.ts
 * loads AND attaches one at a time to learn what this kernel can really do
 * (contract 5). No shared layouts: the header exists for the build rule. */
#ifndef PB_FEATURE_PROBES_H
#define PB_FEATURE_PROBES_H
#endif
