// The portable bf16 kernels: every chain of sk_bf16.h's `dot` in scalar C, one step at a time.
//
// dot step: acc <- F(a * b + acc), a and b bf16 (exponent field 0: read as the signed zero),
// F = round to float once (nearest even), then flush to the signed zero when the result,
// rounded to 24 bits with an unbounded exponent, is below 2^-126 in magnitude.
//
// The product of two bf16 values (8-bit significands) is exact in double and the sum is
// rounded to double, then to float: rounding twice through a format of at least 2*24 + 2
// bits gives the correctly rounded float sum (Figueroa 1995), i.e. the fused multiply-add of
// the instruction. Contraction off: the compiler may not fuse or reorder anything.
#include <math.h>
#include <string.h>
#include "include/CStyleKernels.h"

#pragma clang fp contract(off)

static inline float from_bits(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
static inline unsigned to_bits(float f) { unsigned u; memcpy(&u, &f, 4); return u; }

/// The float a bf16 operand reads as (exponent field 0: the signed zero).
static inline float bf_in(sk_bf16 h) {
    unsigned u = (unsigned)h << 16;
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u;
    return from_bits(u);
}

/// A float accumulator as the instruction reads it (denormal: the signed zero).
static inline float daz(float x) {
    unsigned u = to_bits(x);
    return (u & 0x7f800000u) == 0 ? from_bits(u & 0x80000000u) : x;
}

/// F(a * b + acc), operands already read (bf_in, daz).
static inline float step(float acc, float a, float b) {
    const double s = (double)a * (double)b + (double)acc;
    if (fabs(s) >= 0x1p-126 || s != s) return (float)s;
    // tiny: round to 24 bits with the exponent shifted into the normal range, then flush
    const float r = (float)(s * 0x1p64);
    if (fabsf(r) < 0x1p-62f) return signbit(s) ? -0.0f : 0.0f;
    return signbit(s) ? -0x1p-126f : 0x1p-126f;
}

/// dot(acc, (a0, a1), (b0, b1)): the odd products first.
static inline float dot(float acc, const sk_bf16 *a, const sk_bf16 *b) {
    acc = step(daz(acc), bf_in(a[1]), bf_in(b[1]));
    return step(acc, bf_in(a[0]), bf_in(b[0]));
}

static inline float act_s(float x, int act) {
    if (act == 0) return x;
    if (act == 1) return x > 0 ? x : 0;
    return x > 0 ? (x < 6 ? x : 6) : 0;
}

/// bf16(x): NaN quieted, zero/denormal to the signed zero, else nearest even at bit 16.
static inline sk_bf16 round_bf16(float x) {
    const unsigned u = to_bits(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (sk_bf16)((u >> 16) | 0x40u);
    if ((u & 0x7f800000u) == 0) return (sk_bf16)((u >> 16) & 0x8000u);
    return (sk_bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static void em_from_f32(const float *src, size_t n, sk_bf16 *dst) {
    for (size_t i = 0; i < n; i++) dst[i] = round_bf16(src[i]);
}

static void em_gemm_pixels(const sk_bf16 *in, ptrdiff_t rs, ptrdiff_t ps, int kh, int pairs,
                           const sk_bf16 *w, ptrdiff_t wbs, int blocks, const float *bias, float *out, ptrdiff_t ops,
                           int valid, int act, int count) {
    for (int p = 0; p < count; p++) {
        for (int b = 0; b < blocks; b++) {
            const int n = b == blocks - 1 ? valid : 16;
            for (int co = 0; co < n; co++) {
                float acc = bias[16 * b + co];
                for (int ky = 0; ky < kh; ky++) {
                    const sk_bf16 *a = in + p * ps + ky * rs;
                    const sk_bf16 *wt = w + b * wbs + (ptrdiff_t)ky * pairs * 32 + co * 2;
                    for (int q = 0; q < pairs; q++) acc = dot(acc, a + 2 * q, wt + q * 32);
                }
                out[p * ops + 16 * b + co] = act_s(acc, act);
            }
        }
    }
}

static void em_gemm_tiles(const sk_bf16 *in, ptrdiff_t rs, ptrdiff_t ps, int kh, int pairs,
                          const sk_bf16 *w, ptrdiff_t wbs, int blocks, const float *bias, float *out, ptrdiff_t ops,
                          int valid, int act, int width, int t0, int t1) {
    for (int t = t0; t < t1; t++) {
        int x = 6 * t;
        if (x > width - 6) x = width - 6;
        em_gemm_pixels(in + x * ps, rs, ps, kh, pairs, w, wbs, blocks, bias, out + x * ops, ops, valid, act, 6);
    }
}

/// The float32 transform of the active kernels, 16 channels at a time, then bf16().
static void em_winograd_input_tile(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c,
                                   sk_bf16 *out, ptrdiff_t xs) {
    float v[36 * 16];
    const sk_kernels *f32 = sk_active();
    for (int ch = 0; ch < c; ch += 16) {
        const int n = c - ch < 16 ? c - ch : 16;
        f32->winograd_input_tile(image + ch, rows, cols, n, v, 16);
        for (int x = 0; x < 36; x++)
            for (int i = 0; i < n; i++) out[x * xs + ch + i] = round_bf16(v[x * 16 + i]);
    }
}

static void em_dot_lanes(const float *acc, const sk_bf16 *a, const sk_bf16 *b, float *out, int n) {
    for (int i = 0; i < n; i++) out[i] = dot(acc[i], a + 2 * i, b + 2 * i);
}

const sk_bf16_kernels sk_bf16_emulated = {
    "emulated", em_from_f32, em_gemm_tiles, em_gemm_pixels, em_winograd_input_tile, em_dot_lanes,
};
