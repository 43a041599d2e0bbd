// AVX-512F kernels (x86-64): the AVX2+FMA variant with its conv tile widened to 16 lanes.
//
// out[p][co] = act(bias[co] + Σ_{ky, kx, i} in[p*ps + ky*rs + kx*ts + i] * w[((ky*kw + kx)*cin + i)*16 + co])
//
// The 6 x 16 conv tile (the Winograd GEMMs and the direct convs, ~60% of a transfer) runs
// here as 12 pixels x 16 channels: one zmm accumulator per pixel, 12 of them, enough to
// hide the FMA latency on two 512-bit ports (6, as a 16-lane 6 x 16 tile would have, are
// not). Every output is the same chain of fused multiply-adds as in the AVX2 variant (bias,
// then (ky, kx, i) in order), so the two variants give bit-identical results; the other
// kernels are the AVX2 ones compiled for this target. Compiled with the target attribute
// "avx512f,avx2,fma" (no compiler flag); the dispatcher calls it only when CPUID and
// XGETBV say the CPU and the OS support AVX-512F.
#if defined(__x86_64__)
#include <stddef.h>
#include "CStyleKernels.h"  // declarations stay outside the target region
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define SK_SUFFIX avx512f
#define SK_VW 8
#define SK_FUSED 1
#define SK_CONV_PAIRS 0
#define SK_CONV_NV 2
#define SK_SO_PIX 3
#define SK_PL_VW 16
#define SK_PL_ACC 24
#define SK_OWN_CONV_TILES 1
#include "kernel_body.h"

typedef float zv __attribute__((vector_size(64)));
typedef float zvu __attribute__((vector_size(64), aligned(4), may_alias));
typedef int zvi __attribute__((vector_size(64)));

SK_INLINE zv zld(const float *p) { return *(const zvu *)p; }
SK_INLINE zv zsplat(float x) {
    zv r;
    for (int i = 0; i < 16; i++) r[i] = x;
    return r;
}
/// act(x) with the lane selects of act_v (maxps / minps semantics).
SK_INLINE zv zact(zv x, sk_act act) {
    if (act == 0) return x;
    const zv zero = {0};
    zvi m = x < zero;
    x = (zv)((zvi)x & ~m);
    if (act == 2) {
        const zv six = zsplat(6);
        zvi n = six < x;
        x = (zv)(((zvi)x & ~n) | ((zvi)six & n));
    }
    return x;
}
/// Stores the first `valid` (<= 16) lanes.
SK_INLINE void zstore(float *o, zv r, int valid) {
    if (valid >= 16) {
        *(zvu *)o = r;
    } else {
        for (int l = 0; l < valid; l++) o[l] = r[l];
    }
}

// The tile for P pixels, written out per pixel so that the accumulators live in registers.
#define Z_EACH12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
#define Z_EACH6(M) M(0) M(1) M(2) M(3) M(4) M(5)
#define Z_DECL(p) zv c##p = b;
#define Z_FMA(p) c##p = __builtin_elementwise_fma(zsplat(a[p * ps + i]), wv, c##p);
#define Z_STORE(p) zstore(out + p * ops, zact(c##p, act), valid);
#define Z_TILE(NAME, EACH)                                                                              \
    SK_INLINE void NAME(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts, int kh, int kw,     \
                        int cin, const float *w, const float *bias, float *out, ptrdiff_t ops,         \
                        int valid, sk_act act) {                                                       \
        const zv b = zld(bias);                                                                        \
        EACH(Z_DECL)                                                                                   \
        const float *wp = w;                                                                           \
        for (int ky = 0; ky < kh; ky++) {                                                              \
            for (int kx = 0; kx < kw; kx++) {                                                          \
                const float *a = in + ky * rs + kx * ts;                                               \
                for (int i = 0; i < cin; i++) {                                                        \
                    const zv wv = zld(wp);                                                             \
                    wp += 16;                                                                          \
                    EACH(Z_FMA)                                                                        \
                }                                                                                      \
            }                                                                                          \
        }                                                                                              \
        EACH(Z_STORE)                                                                                  \
    }

/// The formula above for pixels p < 12 (two neighbouring 6-pixel tiles).
Z_TILE(tile12x16_z, Z_EACH12)
/// The formula above for pixels p < 6.
Z_TILE(tile6x16_z, Z_EACH6)

/// Tiles t0..<t1 of a row of `width` pixels, tile t at x = min(6t, width - 6), as
/// conv_tiles_6x16 of kernel_body.h: two neighbouring tiles that both lie wholly in the row
/// run together as one 12-pixel tile.
static void conv_tiles_6x16_avx512f(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts,
                                    int kh, int kw, int cin, const float *w, const float *bias,
                                    float *out, ptrdiff_t ops, int valid, sk_act act,
                                    int width, int t0, int t1) {
    const int one_tap = kh == 1 && kw == 1;  // 1x1 convs and the Winograd GEMMs: tap loops fold away
    int t = t0;
    while (t < t1) {
        int x = 6 * t;
        if (t + 1 < t1 && x + 12 <= width) {
            if (one_tap) tile12x16_z(in + x * ps, 0, ps, 0, 1, 1, cin, w, bias, out + x * ops, ops, valid, act);
            else tile12x16_z(in + x * ps, rs, ps, ts, kh, kw, cin, w, bias, out + x * ops, ops, valid, act);
            t += 2;
        } else {
            if (x > width - 6) x = width - 6;
            tile6x16_z(in + x * ps, rs, ps, ts, kh, kw, cin, w, bias, out + x * ops, ops, valid, act);
            t += 1;
        }
    }
}
#pragma clang attribute pop

SK_DEFINE_TABLE("avx512f", SK_ISA_AVX512F)
#else
typedef int sk_avx512f_unavailable;  // not x86-64: this variant is not built
#endif
