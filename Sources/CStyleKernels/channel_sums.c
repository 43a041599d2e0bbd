// Per-channel sums in Double over a run of NHWC pixels, for the mean and variance reductions
// of StyleKernels.Statistics:
//
//   acc[c] = sum_{p < pixels} x[p*channels + c]                    (center == NULL)
//   acc[c] = sum_{p < pixels} (x[p*channels + c] - center[c])^2    (otherwise)
//
// each sum taken in pixel order, one double addition per term (the square a separate
// multiply: no contraction), exactly as Statistics.channelSums's Swift loop adds them, so the
// results are the same bits. One portable function (no per-ISA variant): the arithmetic is
// plain double adds, which every instruction set rounds the same. Channel counts up to 32
// get a copy with the count fixed at compile time, so the running sums stay in registers
// (the Swift loop, with the count unknown, went through memory: slow on 3- and 8-channel maps).
#include "include/CStyleKernels.h"

#pragma clang fp contract(off)

#define SUMS_FIXED(C)                                                                        \
    static void sums_##C(const float *x, ptrdiff_t pixels, const double *center, double *acc) { \
        double a[C];                                                                         \
        for (int c = 0; c < C; c++) a[c] = 0;                                                \
        if (center) {                                                                        \
            double m[C];                                                                     \
            for (int c = 0; c < C; c++) m[c] = center[c];                                    \
            for (ptrdiff_t p = 0; p < pixels; p++) {                                         \
                const float *v = x + p * C;                                                  \
                for (int c = 0; c < C; c++) { double d = (double)v[c] - m[c]; a[c] += d * d; } \
            }                                                                                \
        } else {                                                                             \
            for (ptrdiff_t p = 0; p < pixels; p++) {                                         \
                const float *v = x + p * C;                                                  \
                for (int c = 0; c < C; c++) a[c] += (double)v[c];                            \
            }                                                                                \
        }                                                                                    \
        for (int c = 0; c < C; c++) acc[c] = a[c];                                           \
    }

SUMS_FIXED(1)
SUMS_FIXED(2)
SUMS_FIXED(3)
SUMS_FIXED(4)
SUMS_FIXED(8)
SUMS_FIXED(16)
SUMS_FIXED(24)
SUMS_FIXED(32)

static void sums_any(const float *x, ptrdiff_t pixels, int channels, const double *center, double *acc) {
    for (int c = 0; c < channels; c++) acc[c] = 0;
    for (ptrdiff_t p = 0; p < pixels; p++) {
        const float *v = x + p * channels;
        if (center) {
            for (int c = 0; c < channels; c++) { double d = (double)v[c] - center[c]; acc[c] += d * d; }
        } else {
            for (int c = 0; c < channels; c++) acc[c] += (double)v[c];
        }
    }
}

void sk_channel_sums(const float *x, ptrdiff_t pixels, int channels, const double *center, double *acc) {
    switch (channels) {
    case 1: sums_1(x, pixels, center, acc); break;
    case 2: sums_2(x, pixels, center, acc); break;
    case 3: sums_3(x, pixels, center, acc); break;
    case 4: sums_4(x, pixels, center, acc); break;
    case 8: sums_8(x, pixels, center, acc); break;
    case 16: sums_16(x, pixels, center, acc); break;
    case 24: sums_24(x, pixels, center, acc); break;
    case 32: sums_32(x, pixels, center, acc); break;
    default: sums_any(x, pixels, channels, center, acc); break;
    }
}
