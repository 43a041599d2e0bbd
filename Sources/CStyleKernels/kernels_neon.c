// NEON kernels (aarch64, where Advanced SIMD is part of the baseline): 4-lane vectors,
// one fused multiply-add per term, 24 accumulators in the 6x16 conv tile (32 q registers).
#if defined(__aarch64__)
#define SK_SUFFIX neon
#define SK_VW 4
#define SK_FUSED 1
#define SK_CONV_PAIRS 0
#define SK_CONV_NV 4
#define SK_TL_PIX 1
#include "kernel_body.h"

SK_DEFINE_TABLE("neon", SK_ISA_NEON)
#else
typedef int sk_neon_unavailable;  // not aarch64: this variant is not built
#endif
