// Portable kernels: 4-lane vectors (SSE2 on x86-64, NEON registers or scalar code
// elsewhere), a multiply and an add for every term. Compiled for the baseline ISA: these
// run on every CPU of the architecture and are the fallback of the dispatcher.
#define SK_SUFFIX generic
#define SK_VW 4
#define SK_FUSED 0
#define SK_CONV_PAIRS 1
#define SK_CONV_NV 2
#define SK_TL_PIX 1
#define SK_PL_ACC 8
#include "kernel_body.h"

SK_DEFINE_TABLE("generic", SK_ISA_GENERIC)
