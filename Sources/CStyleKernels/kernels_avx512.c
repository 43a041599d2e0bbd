// AVX-512F kernels (x86-64): the AVX2+FMA variant with its conv tile, Winograd transforms,
// tap-lanes reduction and pixel-lanes tiles widened to 16 lanes.
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
#define SK_TL_PIX 2
#define SK_PL_VW 16
#define SK_PL_ACC 24
#define SK_OWN_CONV_TILES 1
#define SK_OWN_TAP_LANES 1
#define SK_OWN_WINOGRAD 1
#define SK_OWN_DEPTHWISE 1
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

// MARK: depthwise, 16 channels per vector

SK_INLINE zv zfma(zv a, zv b, zv c) { return __builtin_elementwise_fma(a, b, c); }
SK_INLINE void zst(float *o, zv v) { *(zvu *)o = v; }
SK_DEFINE_DEPTHWISE_CHANNELS(zdepthwise_channels, zv, 16, zld, zst, zfma, zact)

/// kernel_body.h's depthwise row on zmm registers for the channels of whole 16-lane vectors,
/// then its 8-lane vectors and scalar tail: the AVX2 variant's chains, bit-identical.
static void depthwise_row_avx512f(const float *in_row, ptrdiff_t rs, int c, int s, int kh, int kw,
                                  const float *w, const float *bias, sk_act act, float *out_row, int out_w) {
    const int c16 = c / 16 * 16, c8 = c / 8 * 8;
    zdepthwise_channels(in_row, rs, c, s, kh, kw, w, bias, act, out_row, out_w, 0, c16);
    depthwise_channels(in_row, rs, c, s, kh, kw, w, bias, act, out_row, out_w, c16, c8);
    depthwise_tail(in_row, rs, c, s, kh, kw, w, bias, act, out_row, out_w, c8);
}

// MARK: Winograd F(4x4, 3x3) transforms, 16 channels per vector
//
// kernel_body.h's transforms (SK_DEFINE_WINOGRAD_TRANSFORMS: multiplies and adds, never fused) on
// zmm registers, then the 8-lane helpers for a last group of 8 channels: bit-identical to AVX2.

SK_DEFINE_WINOGRAD_TRANSFORMS(zbt6, zat4, zv, zsplat)

/// winograd_input of kernel_body.h for channels [0, c16), 16 at a time.
SK_INLINE void zwinograd_input(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c16,
                               float *out, ptrdiff_t xs, const int inside) {
    zv temp[36];
    for (int ch = 0; ch < c16; ch += 16) {
        for (int k = 0; k < 6; k++) {
            zv d[6], t[6];
            for (int r = 0; r < 6; r++)
                d[r] = (inside || (rows[r] >= 0 && cols[k] >= 0)) ? zld(image + rows[r] + cols[k] + ch) : (zv){0};
            zbt6(d, t);
            for (int r = 0; r < 6; r++) temp[r * 6 + k] = t[r];
        }
        for (int r = 0; r < 6; r++) {
            zv u[6];
            zbt6(&temp[r * 6], u);
            float *o = out + ch + (ptrdiff_t)(r * 6) * xs;
            for (int k = 0; k < 6; k++) *(zvu *)(o + k * xs) = u[k];
        }
    }
}

/// V = Bᵀ d B for the 6x6 patch d[r][k][ch] = image[rows[r] + cols[k] + ch] (0 where an offset is negative).
static void winograd_input_tile_avx512f(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c,
                                        float *out, ptrdiff_t xs) {
    const int c16 = c / 16 * 16;
    if (winograd_inside(rows, cols)) {
        zwinograd_input(image, rows, cols, c16, out, xs, 1);
        winograd_input(image, rows, cols, c16, c, out, xs, 1);
    } else {
        zwinograd_input(image, rows, cols, c16, out, xs, 0);
        winograd_input(image, rows, cols, c16, c, out, xs, 0);
    }
}

/// Y = act(Aᵀ M A + bias) for the 4x4 tile at (y0, x0), M[ξ][co] = m[ξ*xs + co]; outputs outside out_h x out_w are dropped.
static void winograd_output_tile_avx512f(const float *m, ptrdiff_t xs, int out_c, const float *bias,
                                         sk_act act, float *out, int out_h, int out_w, int y0, int x0) {
    const int rows = out_h - y0 < 4 ? out_h - y0 : 4;
    const int cols = out_w - x0 < 4 ? out_w - x0 : 4;
    const int c16 = out_c / 16 * 16;
    zv temp[24];
    for (int co = 0; co < c16; co += 16) {
        for (int k = 0; k < 6; k++) {
            zv v[6], t[4];
            for (int r = 0; r < 6; r++) v[r] = zld(m + (ptrdiff_t)(r * 6 + k) * xs + co);
            zat4(v, t);
            for (int r = 0; r < 4; r++) temp[r * 6 + k] = t[r];
        }
        const zv bv = zld(bias + co);
        for (int r = 0; r < rows; r++) {
            zv y[4];
            zat4(&temp[r * 6], y);
            float *o = out + ((ptrdiff_t)(y0 + r) * out_w + x0) * out_c + co;
            for (int k = 0; k < cols; k++) *(zvu *)(o + k * out_c) = zact(y[k] + bv, act);
        }
    }
    winograd_output(m, xs, c16, out_c, out_c, bias, act, out, out_h, out_w, y0, x0);
}

// MARK: few output channels: P pixels x O outputs, 16 accumulators reduced together
//
// out[x][o] = act(bias[o] + R), R the lane tree of the 16 partial sums of
// in[ky][x*s*cin + j] * w[o][ky][j] over j < vec_end, then the leftover terms (kernel_body.h):
// the same lanes and tree as the other variants, so the results are bit-identical to AVX2's.

/// The lane trees of 16 vectors at once (unused ones zero): lane m of the result is the tree
/// h8 -> h4 -> h2 -> sum of a[m], each level one pair of two-source shuffles and an add.
SK_INLINE zv ztree16(const zv a[16]) {
    zv b[8], c[4], d[2];
    for (int i = 0; i < 8; i++)
        b[i] = __builtin_shufflevector(a[2 * i], a[2 * i + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
             + __builtin_shufflevector(a[2 * i], a[2 * i + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    for (int i = 0; i < 4; i++)
        c[i] = __builtin_shufflevector(b[2 * i], b[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27)
             + __builtin_shufflevector(b[2 * i], b[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    for (int i = 0; i < 2; i++)
        d[i] = __builtin_shufflevector(c[2 * i], c[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29)
             + __builtin_shufflevector(c[2 * i], c[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    return __builtin_shufflevector(d[0], d[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
         + __builtin_shufflevector(d[0], d[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

/// Pixels x .. x+P-1 x outputs 0..O-1 (P*O <= 16, constants at every call): accumulator
/// p*O + o, which is also the offset of out[(x+p)*O + o] from out + x*O.
SK_INLINE void ztap_tile(const float *in_row, int cin, int s, int kh, const float *w, zv bias_pattern,
                         sk_act act, float *out, ptrdiff_t row_stride, int run, int vec_end, int x,
                         const int O, const int P) {
    zv acc[16];
    for (int k = 0; k < 16; k++) acc[k] = (zv){0};
    const ptrdiff_t o_stride = (ptrdiff_t)kh * run;
    for (int ky = 0; ky < kh; ky++) {
        const float *p0 = in_row + ky * row_stride + (ptrdiff_t)x * s * cin;
        const float *wr = w + ky * run;
        for (int j = 0; j < vec_end; j += 16) {
            zv wv[4];
            for (int o = 0; o < O; o++) wv[o] = zld(wr + o * o_stride + j);
            for (int p = 0; p < P; p++) {
                const zv xv = zld(p0 + (ptrdiff_t)p * s * cin + j);
                for (int o = 0; o < O; o++) acc[p * O + o] = __builtin_elementwise_fma(xv, wv[o], acc[p * O + o]);
            }
        }
    }
    zv r = ztree16(acc);
    if (vec_end < run) {
        for (int m = 0; m < P * O; m++) {
            const int p = m / O, o = m % O;
            r[m] = tap_lanes_rest(r[m], in_row + (ptrdiff_t)(x + p) * s * cin, w + o * o_stride, kh, row_stride, run, vec_end);
        }
    }
    r = zact(r + bias_pattern, act);
    zstore(out + x * O, r, P * O);
}

SK_INLINE void ztap_row(const float *in_row, int in_w, int cin, int s, int kh, int kw, const float *w,
                        const float *bias, sk_act act, float *out_row, int out_w, const int O) {
    const int P = 16 / O;
    const int run = kw * cin, vec_end = run / 16 * 16;
    const ptrdiff_t row_stride = (ptrdiff_t)in_w * cin;
    zv bias_pattern;
    for (int m = 0; m < 16; m++) bias_pattern[m] = bias[m % O];
    if (out_w < P) {
        for (int x = 0; x < out_w; x++)
            ztap_tile(in_row, cin, s, kh, w, bias_pattern, act, out_row, row_stride, run, vec_end, x, O, 1);
        return;
    }
    // tiles of P pixels, the last one placed to end at the row's end (recomputing identical values)
    for (int x = 0;; x += P) {
        if (x > out_w - P) x = out_w - P;
        ztap_tile(in_row, cin, s, kh, w, bias_pattern, act, out_row, row_stride, run, vec_end, x, O, P);
        if (x + P >= out_w) break;
    }
}

/// out_row[x*out_c + o] = act(bias[o] + R) for o < out_c (<= 4): see above.
static void tap_lanes_conv_row_avx512f(const float *in_row, int in_w, int cin, int s, int kh, int kw,
                                       const float *w, const float *bias, int out_c, sk_act act,
                                       float *out_row, int out_w) {
    switch (out_c) {
    case 1: ztap_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 1); break;
    case 2: ztap_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 2); break;
    case 3: ztap_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 3); break;
    default: ztap_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 4); break;
    }
}
#pragma clang attribute pop

SK_DEFINE_TABLE("avx512f", SK_ISA_AVX512F)
#else
typedef int sk_avx512f_unavailable;  // not x86-64: this variant is not built
#endif
