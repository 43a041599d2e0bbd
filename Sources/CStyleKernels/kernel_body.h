// The kernels' bodies, written once and compiled once per instruction set.
//
// A file that includes this header defines first:
//   SK_SUFFIX   suffix of the table and function names (generic, avx2, neon)
//   SK_VW       lanes per vector (4: SSE2 / NEON; 8: AVX2)
//   SK_FUSED    1: multiply-add is one fused operation (FMA, one rounding);
//               0: a multiply then an add (two roundings, no FMA hardware needed)
//   SK_CONV_NV  vectors per pixel in one pass of the 6x16 conv tile: 16 channels are
//               done in 16 / (SK_CONV_NV * SK_VW) passes, so the 6 x SK_CONV_NV
//               accumulators fit the register file (12 ymm on AVX2, 12 xmm on SSE2,
//               24 q on NEON)
//   SK_CONV_PAIRS  1: the 6x16 tile runs as three 2-pixel x 16-channel tiles instead
//               (portable variant: one broadcast per input value and 16 channels)
//   SK_TL_PIX   pixels per tile of the tap-lanes (reduction-vectorised) narrow-output conv
//   SK_OWN_TAP_LANES  (optional) the file defines its own tap_lanes_conv_row_<suffix>
//   SK_PL_VW, SK_PL_ACC  (optional) lanes and accumulators of the pixel-lanes conv tile
//   SK_OWN_CONV_TILES  (optional) the file defines its own conv_tiles_6x16_<suffix>
//   SK_OWN_DEPTHWISE   (optional) the file defines its own depthwise_row_<suffix>
//               (the AVX-512F variant's 16-lane tile); this header then leaves it out
// and, for a non-baseline ISA, opens a `#pragma clang attribute push(target(...))`
// region around the include. Floating-point contraction is off: every fused
// multiply-add is written as one, so each variant's arithmetic is exactly the one
// its comments state, whatever the compiler's defaults.
//
// Each output value is computed by the same sequence of operations wherever it falls in a
// tile and whichever thread computes it, so results are bit-identical for any thread count.

#include <stddef.h>
#include "CStyleKernels.h"

#pragma clang fp contract(off)

#define SK_CAT2(a, b) a##_##b
#define SK_CAT(a, b) SK_CAT2(a, b)
#define SK(name) SK_CAT(name, SK_SUFFIX)
#define SK_INLINE static inline __attribute__((always_inline))

typedef float skv __attribute__((vector_size(SK_VW * 4)));
typedef float skvu __attribute__((vector_size(SK_VW * 4), aligned(4), may_alias));
typedef int skvi __attribute__((vector_size(SK_VW * 4)));

SK_INLINE skv ld(const float *p) { return *(const skvu *)p; }
SK_INLINE void st(float *p, skv v) { *(skvu *)p = v; }
SK_INLINE skv splat(float x) {
    skv r;
    for (int i = 0; i < SK_VW; i++) r[i] = x;
    return r;
}
SK_INLINE skv vzero(void) { skv r = {0}; return r; }

#if SK_FUSED
/// a * b + c, rounded once.
SK_INLINE skv madd(skv a, skv b, skv c) { return __builtin_elementwise_fma(a, b, c); }
SK_INLINE float smadd(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
#else
/// a * b, rounded, + c, rounded.
SK_INLINE skv madd(skv a, skv b, skv c) { return a * b + c; }
SK_INLINE float smadd(float a, float b, float c) { return a * b + c; }
#endif

/// a < b ? b : a  (maxps semantics, as StyleKernels.max8)
SK_INLINE skv vmax(skv a, skv b) { skvi m = a < b; return (skv)(((skvi)a & ~m) | ((skvi)b & m)); }
/// b < a ? b : a  (minps semantics, as StyleKernels.min8)
SK_INLINE skv vmin(skv a, skv b) { skvi m = b < a; return (skv)(((skvi)a & ~m) | ((skvi)b & m)); }

SK_INLINE skv act_v(skv x, sk_act act) {
    if (act == 0) return x;
    x = vmax(x, vzero());
    if (act == 2) x = vmin(x, splat(6));
    return x;
}
SK_INLINE float act_s(float x, sk_act act) {
    if (act == 0) return x;
    if (act == 1) return x > 0 ? x : 0;
    return x > 0 ? (x < 6 ? x : 6) : 0;
}

// MARK: direct convolution, 6 pixels x 16 output channels

#define NV SK_CONV_NV
#define PASSES (16 / (SK_CONV_NV * SK_VW))

/// Applies M(p, v) to every accumulator: 6 pixels p x SK_CONV_NV vectors v. Written out
/// (no arrays) so that the accumulators live in registers.
#if SK_CONV_NV == 2
#define SK_EACH_V(M, p) M(p, 0) M(p, 1)
#elif SK_CONV_NV == 4
#define SK_EACH_V(M, p) M(p, 0) M(p, 1) M(p, 2) M(p, 3)
#else
#error "SK_CONV_NV must be 2 or 4"
#endif
#define SK_EACH_PV(M) SK_EACH_V(M, 0) SK_EACH_V(M, 1) SK_EACH_V(M, 2) SK_EACH_V(M, 3) SK_EACH_V(M, 4) SK_EACH_V(M, 5)

/// Stores a vector of lanes lane0 + v*SK_VW ... of output pixel p (only lanes below `valid`).
SK_INLINE void store_lanes(float *o, skv r, int base, int valid) {
    if (valid >= base + SK_VW) {
        st(o, r);
    } else {
        for (int l = 0; l < SK_VW && base + l < valid; l++) o[l] = r[l];
    }
}

#if SK_CONV_PAIRS
/// The formula of tile6x16 for 2 pixels and all 16 channels (2 x 4 accumulators of 4 lanes),
/// used three times per 6-pixel tile by the portable variant: each input value is broadcast
/// once for 16 channels (SSE2 has no broadcast load, so a broadcast costs a shuffle) and the
/// 8 accumulators, 4 weight vectors and 2 temporaries fit the 16 xmm registers.
SK_INLINE void tile2x16(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts, int kh, int kw, int cin,
                        const float *w, const float *bias, float *out, ptrdiff_t ops, int valid, sk_act act) {
#define SK_EACH_Q(M) M(0, 0) M(0, 1) M(0, 2) M(0, 3) M(1, 0) M(1, 1) M(1, 2) M(1, 3)
#define SK_DECL(p, v) skv c##p##_##v = ld(bias + v * SK_VW);
    SK_EACH_Q(SK_DECL)
#undef SK_DECL
    const float *wp = w;
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            const float *a0 = in + ky * rs + kx * ts;
            const float *a1 = a0 + ps;
            for (int i = 0; i < cin; i++) {
                const skv w0 = ld(wp), w1 = ld(wp + SK_VW), w2 = ld(wp + 2 * SK_VW), w3 = ld(wp + 3 * SK_VW);
                wp += 16;
                const skv x0 = splat(a0[i]), x1 = splat(a1[i]);
#define SK_FMA(p, v) c##p##_##v = madd(x##p, w##v, c##p##_##v);
                SK_EACH_Q(SK_FMA)
#undef SK_FMA
            }
        }
    }
#define SK_STORE(p, v) store_lanes(out + p * ops + v * SK_VW, act_v(c##p##_##v, act), v * SK_VW, valid);
    SK_EACH_Q(SK_STORE)
#undef SK_STORE
#undef SK_EACH_Q
}
#endif

/// out[p*ops + co] = act(bias[co] + Σ_{ky, kx, i} in[p*ps + ky*rs + kx*ts + i] * w[(ky*kw + kx)*cin*16 + i*16 + co]),
/// p < 6, co < valid; the sum runs in (ky, kx, i) order, one multiply-add per term.
SK_INLINE void tile6x16(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts, int kh, int kw, int cin,
                        const float *w, const float *bias, float *out, ptrdiff_t ops, int valid, sk_act act) {
#if SK_CONV_PAIRS
    for (int p = 0; p < 6; p += 2)
        tile2x16(in + p * ps, rs, ps, ts, kh, kw, cin, w, bias, out + p * ops, ops, valid, act);
#else
    for (int pass = 0; pass < PASSES; pass++) {
        const int lane0 = pass * NV * SK_VW;
#define SK_DECL(p, v) skv c##p##_##v = ld(bias + lane0 + v * SK_VW);
        SK_EACH_PV(SK_DECL)
#undef SK_DECL
        const float *wp = w + lane0;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                const float *a0 = in + ky * rs + kx * ts;
                const float *a1 = a0 + ps, *a2 = a1 + ps, *a3 = a2 + ps, *a4 = a3 + ps, *a5 = a4 + ps;
                for (int i = 0; i < cin; i++) {
                    const skv w0 = ld(wp), w1 = ld(wp + SK_VW);
#if SK_CONV_NV == 4
                    const skv w2 = ld(wp + 2 * SK_VW), w3 = ld(wp + 3 * SK_VW);
#endif
                    wp += 16;
                    skv x0 = splat(a0[i]), x1 = splat(a1[i]), x2 = splat(a2[i]);
                    skv x3 = splat(a3[i]), x4 = splat(a4[i]), x5 = splat(a5[i]);
#define SK_FMA(p, v) c##p##_##v = madd(x##p, w##v, c##p##_##v);
                    SK_EACH_PV(SK_FMA)
#undef SK_FMA
                }
            }
        }
#define SK_STORE(p, v) store_lanes(out + p * ops + lane0 + v * SK_VW, act_v(c##p##_##v, act), lane0 + v * SK_VW, valid);
        SK_EACH_PV(SK_STORE)
#undef SK_STORE
    }
#endif
}

/// The same formula for one pixel.
SK_INLINE void tile1x16(const float *in, ptrdiff_t rs, ptrdiff_t ts, int kh, int kw, int cin,
                        const float *w, const float *bias, float *out, int valid, sk_act act) {
    skv acc[16 / SK_VW];
    for (int v = 0; v < 16 / SK_VW; v++) acc[v] = ld(bias + v * SK_VW);
    const float *wp = w;
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            const float *a0 = in + ky * rs + kx * ts;
            for (int i = 0; i < cin; i++) {
                skv x = splat(a0[i]);
                for (int v = 0; v < 16 / SK_VW; v++) acc[v] = madd(x, ld(wp + v * SK_VW), acc[v]);
                wp += 16;
            }
        }
    }
    for (int v = 0; v < 16 / SK_VW; v++) {
        skv r = act_v(acc[v], act);
        int base = v * SK_VW;
        if (valid >= base + SK_VW) {
            st(out + base, r);
        } else {
            for (int l = 0; l < SK_VW && base + l < valid; l++) out[base + l] = r[l];
        }
    }
}

#ifndef SK_OWN_CONV_TILES
/// Tiles t0..<t1 of a row of `width` pixels, tile t at x = min(6t, width - 6):
/// out[(x+p)*ops + co] = act(bias[co] + Σ_{ky, kx, i} in[(x+p)*ps + ky*rs + kx*ts + i] * w[((ky*kw + kx)*cin + i)*16 + co]).
static void SK(conv_tiles_6x16)(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts,
                                int kh, int kw, int cin, const float *w, const float *bias,
                                float *out, ptrdiff_t ops, int valid, sk_act act,
                                int width, int t0, int t1) {
    if (kh == 1 && kw == 1) {
        // one tap (1x1 convs, the Winograd GEMMs): the same code with the tap loops folded away
        for (int t = t0; t < t1; t++) {
            int x = 6 * t;
            if (x > width - 6) x = width - 6;
            tile6x16(in + x * ps, 0, ps, 0, 1, 1, cin, w, bias, out + x * ops, ops, valid, act);
        }
        return;
    }
    for (int t = t0; t < t1; t++) {
        int x = 6 * t;
        if (x > width - 6) x = width - 6;
        tile6x16(in + x * ps, rs, ps, ts, kh, kw, cin, w, bias, out + x * ops, ops, valid, act);
    }
}
#endif

/// Pixels 0..<count: out[x*ops + co] = act(bias[co] + Σ_{ky, kx, i} in[x*ps + ky*rs + kx*ts + i] * w[((ky*kw + kx)*cin + i)*16 + co]).
static void SK(conv_pixels_1x16)(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts,
                                 int kh, int kw, int cin, const float *w, const float *bias,
                                 float *out, ptrdiff_t ops, int valid, sk_act act, int count) {
    for (int x = 0; x < count; x++) {
        tile1x16(in + x * ps, rs, ts, kh, kw, cin, w, bias, out + x * ops, valid, act);
    }
}

#undef NV
#undef PASSES

// MARK: Winograd F(4x4, 3x3) transforms (multiplies and adds only, never fused)
//
// Lane-wise arithmetic: a variant may run them on wider vectors (the AVX-512F one defines
// its own, SK_OWN_WINOGRAD, 16 channels at a time and these helpers for the rest) with
// bit-identical results.

#include "winograd_transforms.h"

SK_DEFINE_WINOGRAD_TRANSFORMS(bt6, at4, skv, splat)

/// V = Bᵀ d B for channels [c0, c1) (steps of SK_VW), d[r][k][ch] = image[rows[r] + cols[k] + ch],
/// zero where rows[r] or cols[k] is negative: out[ξ*xs + ch] = V[ξ][ch].
/// `inside`: no offset is negative (a constant at each call, so the checks fold away).
SK_INLINE void winograd_input(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c0, int c1,
                              float *out, ptrdiff_t xs, const int inside) {
    skv temp[36];
    for (int ch = c0; ch < c1; ch += SK_VW) {
        // columns: temp[r][k] = (Bᵀ d[.][k])[r]
        for (int k = 0; k < 6; k++) {
            skv d[6], t[6];
            for (int r = 0; r < 6; r++)
                d[r] = (inside || (rows[r] >= 0 && cols[k] >= 0)) ? ld(image + rows[r] + cols[k] + ch) : vzero();
            bt6(d, t);
            for (int r = 0; r < 6; r++) temp[r * 6 + k] = t[r];
        }
        // rows: V[r][.] = temp[r][.] B
        for (int r = 0; r < 6; r++) {
            skv u[6];
            bt6(&temp[r * 6], u);
            float *o = out + ch + (ptrdiff_t)(r * 6) * xs;
            for (int k = 0; k < 6; k++) st(o + k * xs, u[k]);
        }
    }
}

/// Whether the 6 row and 6 column offsets of a patch are all valid (no zero padding to read).
SK_INLINE int winograd_inside(const ptrdiff_t *rows, const ptrdiff_t *cols) {
    int inside = 1;
    for (int r = 0; r < 6; r++) inside &= (rows[r] >= 0) & (cols[r] >= 0);
    return inside;
}

#ifndef SK_OWN_WINOGRAD
/// V = Bᵀ d B for the 6x6 patch d[r][k][ch] = image[rows[r] + cols[k] + ch] (0 where an offset is negative).
static void SK(winograd_input_tile)(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c,
                                    float *out, ptrdiff_t xs) {
    if (winograd_inside(rows, cols)) {
        winograd_input(image, rows, cols, 0, c, out, xs, 1);
    } else {
        winograd_input(image, rows, cols, 0, c, out, xs, 0);
    }
}
#endif

/// Y = act(Aᵀ M A + bias) for output channels [c0, c1) (steps of SK_VW) of the 4x4 tile at
/// (y0, x0), M[ξ][co] = m[ξ*xs + co]; outputs outside out_h x out_w are dropped.
SK_INLINE void winograd_output(const float *m, ptrdiff_t xs, int c0, int c1, int out_c, const float *bias,
                               sk_act act, float *out, int out_h, int out_w, int y0, int x0) {
    const int rows = out_h - y0 < 4 ? out_h - y0 : 4;
    const int cols = out_w - x0 < 4 ? out_w - x0 : 4;
    skv temp[24];
    for (int co = c0; co < c1; co += SK_VW) {
        // columns: temp[r][k] = (Aᵀ M[.][k])[r]  (4 x 6)
        for (int k = 0; k < 6; k++) {
            skv v[6], t[4];
            for (int r = 0; r < 6; r++) v[r] = ld(m + (ptrdiff_t)(r * 6 + k) * xs + co);
            at4(v, t);
            for (int r = 0; r < 4; r++) temp[r * 6 + k] = t[r];
        }
        const skv bv = ld(bias + co);
        for (int r = 0; r < rows; r++) {
            skv y[4];
            at4(&temp[r * 6], y);
            float *o = out + ((ptrdiff_t)(y0 + r) * out_w + x0) * out_c + co;
            for (int k = 0; k < cols; k++) st(o + k * out_c, act_v(y[k] + bv, act));
        }
    }
}

#ifndef SK_OWN_WINOGRAD
/// Y = act(Aᵀ M A + bias) for the 4x4 tile at (y0, x0), M[ξ][co] = m[ξ*xs + co]; outputs outside out_h x out_w are dropped.
static void SK(winograd_output_tile)(const float *m, ptrdiff_t xs, int out_c, const float *bias,
                                     sk_act act, float *out, int out_h, int out_w, int y0, int x0) {
    winograd_output(m, xs, 0, out_c, out_c, bias, act, out, out_h, out_w, y0, x0);
}
#endif

// MARK: few output channels, vectorised over the reduction
//
// Each output is a dot product over j < run = kw*cin per kernel row: 16 partial sums (lane
// l takes the terms j ≡ l mod 16 of j < vec_end = run/16*16, kernel rows in order), reduced by
// the lane tree h8[l] = a[l] + a[l+8], h4[l] = h8[l] + h8[l+4], h2[l] = h4[l] + h4[l+2],
// h2[0] + h2[1]; then the leftover terms j >= vec_end one multiply-add each, then the bias.
// A variant holds the 16 lanes as 16/SK_VW vectors; the AVX-512F one defines its own row
// kernel (SK_OWN_TAP_LANES), with 16 accumulators reduced together.

#define TL_NV (16 / SK_VW)
#ifndef SK_TL_PIX
#define SK_TL_PIX 2
#endif

/// The lane tree of 16 partial sums held as TL_NV vectors.
SK_INLINE float tree16(const skv a[TL_NV]) {
    float h8[8];
#if SK_VW == 8
    const skv s = a[0] + a[1];
    for (int l = 0; l < 8; l++) h8[l] = s[l];
#else
    const skv s0 = a[0] + a[2], s1 = a[1] + a[3];
    for (int l = 0; l < 4; l++) { h8[l] = s0[l]; h8[l + 4] = s1[l]; }
#endif
    const float h40 = h8[0] + h8[4], h41 = h8[1] + h8[5], h42 = h8[2] + h8[6], h43 = h8[3] + h8[7];
    return (h40 + h42) + (h41 + h43);
}

/// The leftover terms j in [vec_end, run) of every kernel row, one multiply-add each, added to v.
SK_INLINE float tap_lanes_rest(float v, const float *pixel, const float *w, int kh, ptrdiff_t row_stride,
                               int run, int vec_end) {
    for (int ky = 0; ky < kh; ky++) {
        const float *p = pixel + ky * row_stride, *wr = w + ky * run;
        for (int j = vec_end; j < run; j++) v = smadd(p[j], wr[j], v);
    }
    return v;
}

#ifndef SK_OWN_TAP_LANES
/// P pixels (at x, x + 1, ...) x O outputs, O and P constants at every call.
SK_INLINE void tap_lanes_tile(const float *in_row, int cin, int s, int kh, const float *w, const float *bias,
                              sk_act act, float *out, ptrdiff_t row_stride, int run, int vec_end, int x,
                              const int O, const int P) {
    skv acc[SK_TL_PIX][4][TL_NV];
    for (int p = 0; p < P; p++)
        for (int o = 0; o < O; o++)
            for (int v = 0; v < TL_NV; v++) acc[p][o][v] = vzero();
    const ptrdiff_t o_stride = (ptrdiff_t)kh * run;
    for (int ky = 0; ky < kh; ky++) {
        const float *p0 = in_row + ky * row_stride + (ptrdiff_t)x * s * cin;
        const float *wr = w + ky * run;
        for (int j = 0; j < vec_end; j += 16) {
            for (int v = 0; v < TL_NV; v++) {
                const int jj = j + v * SK_VW;
                skv wv[4];
                for (int o = 0; o < O; o++) wv[o] = ld(wr + o * o_stride + jj);
                for (int p = 0; p < P; p++) {
                    const skv xv = ld(p0 + (ptrdiff_t)p * s * cin + jj);
                    for (int o = 0; o < O; o++) acc[p][o][v] = madd(xv, wv[o], acc[p][o][v]);
                }
            }
        }
    }
    for (int p = 0; p < P; p++) {
        const float *pixel = in_row + (ptrdiff_t)(x + p) * s * cin;
        for (int o = 0; o < O; o++) {
            float v = tap_lanes_rest(tree16(acc[p][o]), pixel, w + o * o_stride, kh, row_stride, run, vec_end);
            out[(x + p) * O + o] = act_s(v + bias[o], act);
        }
    }
}

SK_INLINE void tap_lanes_row(const float *in_row, int in_w, int cin, int s, int kh, int kw, const float *w,
                             const float *bias, sk_act act, float *out_row, int out_w, const int O) {
    const int run = kw * cin, vec_end = run / 16 * 16;
    const ptrdiff_t row_stride = (ptrdiff_t)in_w * cin;
    int x = 0;
    for (; x + SK_TL_PIX <= out_w; x += SK_TL_PIX)
        tap_lanes_tile(in_row, cin, s, kh, w, bias, act, out_row, row_stride, run, vec_end, x, O, SK_TL_PIX);
    for (; x < out_w; x++)
        tap_lanes_tile(in_row, cin, s, kh, w, bias, act, out_row, row_stride, run, vec_end, x, O, 1);
}

/// out_row[x*out_c + o] = act(bias[o] + R) for o < out_c (<= 4), R the lane tree of the 16 partial
/// sums of in_row[ky*in_w*cin + x*s*cin + j] * w[(o*kh + ky)*kw*cin + j] over j < vec_end, then the
/// leftover j one multiply-add each (see above).
static void SK(tap_lanes_conv_row)(const float *in_row, int in_w, int cin, int s, int kh, int kw,
                                   const float *w, const float *bias, int out_c, sk_act act,
                                   float *out_row, int out_w) {
    switch (out_c) {
    case 1: tap_lanes_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 1); break;
    case 2: tap_lanes_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 2); break;
    case 3: tap_lanes_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 3); break;
    default: tap_lanes_row(in_row, in_w, cin, s, kh, kw, w, bias, act, out_row, out_w, 4); break;
    }
}
#endif

// MARK: planar, pixel-vectorised conv for 1 to 8 outputs
//
// SK_PL_VW lanes per vector (default SK_VW; the AVX-512F variant: 16) and SK_PL_ACC
// accumulators per tile at most (default 12: AVX2 has 16 ymm registers). A tile is P vectors
// of neighbouring output pixels x all O outputs (O*P <= SK_PL_ACC): every input vector feeds
// O multiply-adds and every broadcast weight P, so the multiply-adds, not the loads, bound it,
// and O*P independent chains hide the latency.

#ifndef SK_PL_VW
#define SK_PL_VW SK_VW
#endif
#ifndef SK_PL_ACC
#define SK_PL_ACC 12
#endif
#define PL_MAXP 8

typedef float plv __attribute__((vector_size(SK_PL_VW * 4)));
typedef float plvu __attribute__((vector_size(SK_PL_VW * 4), aligned(4), may_alias));
typedef int plvi __attribute__((vector_size(SK_PL_VW * 4)));
SK_INLINE plv plld(const float *p) { return *(const plvu *)p; }
SK_INLINE plv plsplat(float x) {
    plv r;
    for (int i = 0; i < SK_PL_VW; i++) r[i] = x;
    return r;
}
#if SK_FUSED
SK_INLINE plv plmadd(plv a, plv b, plv c) { return __builtin_elementwise_fma(a, b, c); }
#else
SK_INLINE plv plmadd(plv a, plv b, plv c) { return a * b + c; }
#endif
/// act_v for plv (maxps / minps semantics).
SK_INLINE plv plact(plv x, sk_act act) {
    if (act == 0) return x;
    const plv zero = {0};
    plvi m = x < zero;
    x = (plv)((plvi)x & ~m);
    if (act == 2) {
        const plv six = plsplat(6);
        plvi n = six < x;
        x = (plv)(((plvi)x & ~n) | ((plvi)six & n));
    }
    return x;
}

/// Vectors per tile for O outputs: as many as SK_PL_ACC accumulators allow, 1 to PL_MAXP.
#define PL_P(O) ((SK_PL_ACC / (O)) < 1 ? 1 : (SK_PL_ACC / (O)) > PL_MAXP ? PL_MAXP : (SK_PL_ACC / (O)))

/// P*SK_PL_VW neighbouring pixels x O outputs (O and P constants at every call):
/// out[(p*VW + l)*ops + o] = act(bias[o] + Σ_{i, ky, kx} base[i*plane + ky*rs + kx + p*VW + l] * w[((o*cin + i)*kh + ky)*kw + kx]),
/// the sum in (i, ky, kx) order, one multiply-add per term.
SK_INLINE void pl_tile(const float *base, ptrdiff_t plane, ptrdiff_t rs, int cin, int kh, int kw,
                       const float *w, const float *bias, float *out, ptrdiff_t ops, sk_act act,
                       const int O, const int P) {
    plv acc[8][PL_MAXP];
    for (int o = 0; o < O; o++)
        for (int p = 0; p < P; p++) acc[o][p] = plsplat(bias[o]);
    const int taps = kh * kw;
    const ptrdiff_t per_out = (ptrdiff_t)cin * taps;
    for (int i = 0; i < cin; i++) {
        for (int ky = 0; ky < kh; ky++) {
            const float *row = base + i * plane + ky * rs;
            const float *wr = w + i * taps + ky * kw;
            for (int kx = 0; kx < kw; kx++) {
                plv xv[PL_MAXP];
                for (int p = 0; p < P; p++) xv[p] = plld(row + kx + p * SK_PL_VW);
                for (int o = 0; o < O; o++) {
                    const plv wv = plsplat(wr[kx + o * per_out]);
                    for (int p = 0; p < P; p++) acc[o][p] = plmadd(xv[p], wv, acc[o][p]);
                }
            }
        }
    }
    for (int o = 0; o < O; o++) {
        for (int p = 0; p < P; p++) {
            const plv r = plact(acc[o][p], act);
            float *op = out + (ptrdiff_t)p * SK_PL_VW * ops + o;
            for (int l = 0; l < SK_PL_VW; l++) op[l * ops] = r[l];
        }
    }
}

/// The formula of pl_tile for one output pixel (scalar multiply-adds of the same kind).
SK_INLINE void pl_pixel(const float *base, ptrdiff_t plane, ptrdiff_t rs, int cin, int kh, int kw,
                        const float *w, const float *bias, float *out, sk_act act, int out_c) {
    const int taps = kh * kw;
    const ptrdiff_t per_out = (ptrdiff_t)cin * taps;
    for (int o = 0; o < out_c; o++) {
        float a = bias[o];
        for (int i = 0; i < cin; i++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                    a = smadd(base[i * plane + ky * rs + kx], w[o * per_out + i * taps + ky * kw + kx], a);
        out[o] = act_s(a, act);
    }
}

/// A row of out_w pixels for O outputs: tiles of PL_P(O) vectors (fewer where the row is
/// narrower), the last one as many vectors as the rest needs and placed to end at the row's
/// end (it may overlap the previous tile, recomputing identical values); rows narrower than a
/// vector pixel by pixel.
SK_INLINE void pl_row(const float *base, ptrdiff_t plane, ptrdiff_t rs, int cin, int kh, int kw,
                      const float *w, const float *bias, float *out, ptrdiff_t ops, sk_act act, int out_w,
                      const int O) {
    const int P = PL_P(O);
    if (out_w < SK_PL_VW) {
        for (int x = 0; x < out_w; x++) pl_pixel(base + x, plane, rs, cin, kh, kw, w, bias, out + x * ops, act, O);
        return;
    }
    const int most = out_w / SK_PL_VW;  // vectors that fit the row
    int x = 0;
    while (x < out_w) {
        int k = (out_w - x + SK_PL_VW - 1) / SK_PL_VW;
        if (k > P) k = P;
        if (k > most) k = most;
        if (x > out_w - k * SK_PL_VW) x = out_w - k * SK_PL_VW;
#define PL_REST(n) case n: if (n <= P) pl_tile(base + x, plane, rs, cin, kh, kw, w, bias, out + x * ops, ops, act, O, n); break;
        switch (k) {
            PL_REST(1) PL_REST(2) PL_REST(3) PL_REST(4) PL_REST(5) PL_REST(6) PL_REST(7) PL_REST(8)
        }
        x += k * SK_PL_VW;
    }
#undef PL_REST
}

/// out_row[x*ops + o] = act(bias[o] + Σ_{i, ky, kx} base[i*plane + ky*rs + x + kx] * oihw[((o*cin + i)*kh + ky)*kw + kx])
/// for x < out_w, o < out_c (1 to 8); the sum in (i, ky, kx) order, one multiply-add per term.
static void SK(pixel_lanes_conv_row)(const float *base, ptrdiff_t plane, ptrdiff_t rs, int cin,
                                      int kh, int kw, const float *oihw, const float *bias, int out_c,
                                      sk_act act, float *out_row, ptrdiff_t ops, int out_w) {
#define PL_O(k) case k: pl_row(base, plane, rs, cin, kh, kw, oihw, bias, out_row, ops, act, out_w, k); break;
    switch (out_c) {
        PL_O(1) PL_O(2) PL_O(3) PL_O(4) PL_O(5) PL_O(6) PL_O(7) PL_O(8)
    }
#undef PL_O
}

#undef PL_P
#undef PL_MAXP
#undef TL_NV

// MARK: depthwise

/// The depthwise row for channel vectors c0, c0 + VW, ... < c1 (VW lanes of type V, loaded by
/// LD, stored by ST, multiply-added by MADD, activated by ACT), 4 pixels per weight load:
/// out_row[x*c + ch] = act(bias[ch] + Σ_{ky, kx} in_row[ky*rs + (x*s + kx)*c + ch] * w[(ky*kw + kx)*c + ch]),
/// the taps in order. One definition for every vector width (the AVX-512F variant runs it on
/// zmm registers): the same chain per lane, bit-identical lanes.
#define SK_DEFINE_DEPTHWISE_CHANNELS(NAME, V, VW, LD, ST, MADD, ACT)                                       \
    SK_INLINE void NAME(const float *in_row, ptrdiff_t rs, int c, int s, int kh, int kw, const float *w,    \
                        const float *bias, sk_act act, float *out_row, int out_w, int c0, int c1) {         \
        const ptrdiff_t step = (ptrdiff_t)s * c;                                                          \
        for (int cc = c0; cc < c1; cc += VW) {                                                            \
            const V b = LD(bias + cc);                                                                    \
            int x = 0;                                                                                    \
            for (; x + 4 <= out_w; x += 4) {                                                              \
                V a0 = b, a1 = b, a2 = b, a3 = b;                                                         \
                for (int ky = 0; ky < kh; ky++) {                                                         \
                    for (int kx = 0; kx < kw; kx++) {                                                     \
                        const V wv = LD(w + (ky * kw + kx) * c + cc);                                     \
                        const float *p = in_row + ky * rs + ((ptrdiff_t)x * s + kx) * c + cc;             \
                        a0 = MADD(LD(p), wv, a0);                                                         \
                        a1 = MADD(LD(p + step), wv, a1);                                                  \
                        a2 = MADD(LD(p + 2 * step), wv, a2);                                              \
                        a3 = MADD(LD(p + 3 * step), wv, a3);                                              \
                    }                                                                                     \
                }                                                                                         \
                float *o = out_row + (ptrdiff_t)x * c + cc;                                               \
                ST(o, ACT(a0, act));                                                                      \
                ST(o + c, ACT(a1, act));                                                                  \
                ST(o + 2 * c, ACT(a2, act));                                                              \
                ST(o + 3 * c, ACT(a3, act));                                                              \
            }                                                                                             \
            for (; x < out_w; x++) {                                                                      \
                V a0 = b;                                                                                 \
                for (int ky = 0; ky < kh; ky++)                                                           \
                    for (int kx = 0; kx < kw; kx++)                                                       \
                        a0 = MADD(LD(in_row + ky * rs + ((ptrdiff_t)x * s + kx) * c + cc),                \
                                  LD(w + (ky * kw + kx) * c + cc), a0);                                   \
                ST(out_row + (ptrdiff_t)x * c + cc, ACT(a0, act));                                        \
            }                                                                                             \
        }                                                                                                 \
    }

SK_DEFINE_DEPTHWISE_CHANNELS(depthwise_channels, skv, SK_VW, ld, st, madd, act_v)

/// The channels past the last full vector, one scalar multiply-add per tap.
SK_INLINE void depthwise_tail(const float *in_row, ptrdiff_t rs, int c, int s, int kh, int kw, const float *w,
                              const float *bias, sk_act act, float *out_row, int out_w, int c0) {
    for (int x = 0; x < out_w; x++) {
        for (int ch = c0; ch < c; ch++) {
            float a = bias[ch];
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                    a = smadd(in_row[ky * rs + ((ptrdiff_t)x * s + kx) * c + ch], w[(ky * kw + kx) * c + ch], a);
            out_row[(ptrdiff_t)x * c + ch] = act_s(a, act);
        }
    }
}

#ifndef SK_OWN_DEPTHWISE
/// out_row[x*c + ch] = act(bias[ch] + Σ_{ky, kx} in_row[ky*rs + (x*s + kx)*c + ch] * w[(ky*kw + kx)*c + ch]).
static void SK(depthwise_row)(const float *in_row, ptrdiff_t rs, int c, int s, int kh, int kw,
                              const float *w, const float *bias, sk_act act, float *out_row, int out_w) {
    const int vec_end = c / SK_VW * SK_VW;
    depthwise_channels(in_row, rs, c, s, kh, kw, w, bias, act, out_row, out_w, 0, vec_end);
    depthwise_tail(in_row, rs, c, s, kh, kw, w, bias, act, out_row, out_w, vec_end);
}
#endif

// MARK: peak

/// 12 x 8 lanes of c <- c * 0.999999 + 1e-7, `iterations` times (one multiply-add each); returns Σ c.
static float SK(peak_loop)(long iterations, float seed) {
    enum { N = 12 * 8 / SK_VW };
    const skv m = splat(0.999999f), a = splat(1e-7f);
    skv c[N];
    for (int k = 0; k < N; k++) c[k] = splat(seed + (float)(k * SK_VW / 8));
    for (long it = 0; it < iterations; it++)
        for (int k = 0; k < N; k++) c[k] = madd(c[k], m, a);
    skv s = vzero();
    for (int k = 0; k < N; k++) s = s + c[k];
    float r = 0;
    for (int l = 0; l < SK_VW; l++) r += s[l];
    return r;
}



// MARK: double-precision matrix kernels (covariance match: co-moments, eigendecomposition)

#define SK_DW (SK_VW / 2)
typedef double skd __attribute__((vector_size(SK_DW * 8)));
typedef double skdu __attribute__((vector_size(SK_DW * 8), aligned(8), may_alias));

SK_INLINE skd ldd(const double *p) { return *(const skdu *)p; }
SK_INLINE void std_(double *p, skd v) { *(skdu *)p = v; }
SK_INLINE skd dsplat(double x) {
    skd r;
    for (int i = 0; i < SK_DW; i++) r[i] = x;
    return r;
}
#if SK_FUSED
SK_INLINE skd dmadd(skd a, skd b, skd c) { return __builtin_elementwise_fma(a, b, c); }
SK_INLINE double sdmadd(double a, double b, double c) { return __builtin_fma(a, b, c); }
#else
SK_INLINE skd dmadd(skd a, skd b, skd c) { return a * b + c; }
SK_INLINE double sdmadd(double a, double b, double c) { return a * b + c; }
#endif

/// c[i*ldc + j] += Σ_{p<k} a[i*ais + p*aps] * b[p*ldb + j] for i < m, j < n (sum in p order,
/// one multiply-add per term, the (i, j) tile's accumulator starting at 0 and added to c
/// at the end); with `upper`, tiles wholly below the diagonal (j < i) are skipped (entries
/// below it inside a diagonal tile are still written).
static void SK(dgemm_acc)(int m, int n, int k, const double *a, ptrdiff_t ais, ptrdiff_t aps,
                          const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc, int upper) {
    enum { R = 4, W = 2 * SK_DW };
    int i = 0;
    for (; i + R <= m; i += R) {
        int j = upper ? (i / W) * W : 0;
        for (; j + W <= n; j += W) {
            skd acc[R][2];
            for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = dsplat(0);
            for (int p = 0; p < k; p++) {
                const double *bp = b + (ptrdiff_t)p * ldb + j;
                const skd b0 = ldd(bp), b1 = ldd(bp + SK_DW);
                const double *ap = a + (ptrdiff_t)i * ais + (ptrdiff_t)p * aps;
                for (int r = 0; r < R; r++) {
                    const skd x = dsplat(ap[r * ais]);
                    acc[r][0] = dmadd(x, b0, acc[r][0]);
                    acc[r][1] = dmadd(x, b1, acc[r][1]);
                }
            }
            for (int r = 0; r < R; r++) {
                double *cp = c + (ptrdiff_t)(i + r) * ldc + j;
                std_(cp, ldd(cp) + acc[r][0]);
                std_(cp + SK_DW, ldd(cp + SK_DW) + acc[r][1]);
            }
        }
        for (; j < n; j++) {
            for (int r = 0; r < R; r++) {
                double acc = 0;
                for (int p = 0; p < k; p++) acc = sdmadd(a[(ptrdiff_t)(i + r) * ais + (ptrdiff_t)p * aps], b[(ptrdiff_t)p * ldb + j], acc);
                c[(ptrdiff_t)(i + r) * ldc + j] += acc;
            }
        }
    }
    for (; i < m; i++) {
        for (int j = upper ? i : 0; j < n; j++) {
            double acc = 0;
            for (int p = 0; p < k; p++) acc = sdmadd(a[(ptrdiff_t)i * ais + (ptrdiff_t)p * aps], b[(ptrdiff_t)p * ldb + j], acc);
            c[(ptrdiff_t)i * ldc + j] += acc;
        }
    }
}

/// A plane rotation of two rows, for k < n: t = y[k]; y[k] = s x[k] + c t; x[k] = c x[k] - s t.
static void SK(drot)(double *x, double *y, int n, double c, double s) {
    const skd vc = dsplat(c), vs = dsplat(s);
    int k = 0;
    for (; k + SK_DW <= n; k += SK_DW) {
        const skd xv = ldd(x + k), t = ldd(y + k);
        std_(y + k, dmadd(vs, xv, vc * t));
        std_(x + k, dmadd(vc, xv, -(vs * t)));
    }
    for (; k < n; k++) {
        const double xv = x[k], t = y[k];
        y[k] = sdmadd(s, xv, c * t);
        x[k] = sdmadd(c, xv, -(s * t));
    }
}

/// The table of this variant's kernels: `sk_kernels_<suffix>`.
#define SK_DEFINE_TABLE(label, isa_value)                                                          \
    const sk_kernels SK(sk_kernels) = {                                                           \
        label, isa_value, SK(conv_tiles_6x16), SK(conv_pixels_1x16), SK(winograd_input_tile),     \
        SK(winograd_output_tile), SK(tap_lanes_conv_row), SK(pixel_lanes_conv_row),              \
        SK(depthwise_row), SK(peak_loop), SK(dgemm_acc), SK(drot),                                \
    };
