// AVX2 + FMA kernels (x86-64): 8-lane vectors, one fused multiply-add per term. Every
// function of this file is compiled with the target attribute "avx2,fma" (no compiler
// flag); the dispatcher calls them only when CPUID and XGETBV say the CPU and the OS
// support AVX2 and FMA.
#if defined(__x86_64__)
#include <stddef.h>
#include "CStyleKernels.h"  // declarations stay outside the target region
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define SK_SUFFIX avx2
#define SK_VW 8
#define SK_FUSED 1
#define SK_CONV_PAIRS 0
#define SK_CONV_NV 2
#define SK_TL_PIX 2
#include "kernel_body.h"
#pragma clang attribute pop

SK_DEFINE_TABLE("avx2+fma", SK_ISA_AVX2)
#else
typedef int sk_avx2_unavailable;  // not x86-64: this variant is not built
#endif
