// The bf16 kernels on AVX512_BF16 (x86-64): sk_bf16.h's formulas with vdpbf16ps, one
// instruction per pair of terms for 16 output channels.
//
// acc[p][co] <- dot(acc[p][co], in[p][2q..2q+1], w[q][co][0..1]) for q in order: each
// output value is the chain sk_bf16.h states, whichever pixels share a register, so the
// results are those of the emulation, bit for bit. 12 zmm accumulators (enough to hide the
// instruction's latency): 6 pixels x 2 blocks of outputs (each broadcast input pair feeds
// two instructions), or, for an odd last block, two 6-pixel tiles x 1 block. Compiled with
// target attributes; the dispatcher calls it only when CPUID says the CPU has AVX512_BF16.
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>
#include "include/CStyleKernels.h"
#include "winograd_transforms.h"

#define SK_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

SK_BF16_TARGET static inline __m512 act_v(__m512 v, int act) {
    if (act == 0) return v;
    v = _mm512_max_ps(v, _mm512_setzero_ps());
    return act == 1 ? v : _mm512_min_ps(v, _mm512_set1_ps(6.0f));
}

/// The pair (in[0], in[1]) broadcast to the 16 lanes.
SK_BF16_TARGET static inline __m512bh pair(const sk_bf16 *in) {
    int v;
    memcpy(&v, in, 4);
    return (__m512bh)_mm512_set1_epi32(v);
}

SK_BF16_TARGET static void ins_from_f32(const float *src, size_t n, sk_bf16 *dst) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), (__m256i)h);
    }
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        __m256bh h = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, src + i));
        _mm256_mask_storeu_epi16(dst + i, m, (__m256i)h);
    }
}

/// N pixels (6 or 12) starting at the pixel pointers px[], into out pointers po[].
#define GEMM_BLOCK(N)                                                                        \
    SK_BF16_TARGET static inline void block##N(const sk_bf16 *const *px, ptrdiff_t rs, int kh, int pairs, \
                                               const sk_bf16 *w, const float *bias, float *const *po, \
                                               __mmask16 m, int act) {                          \
        __m512 acc[N];                                                                       \
        const __m512 b = _mm512_maskz_loadu_ps(m, bias);                                     \
        for (int p = 0; p < N; p++) acc[p] = b;                                              \
        for (int ky = 0; ky < kh; ky++) {                                                    \
            const sk_bf16 *wr = w + (ptrdiff_t)ky * pairs * 32;                              \
            const ptrdiff_t ro = ky * rs;                                                    \
            for (int q = 0; q < pairs; q++) {                                                \
                const __m512bh wv = (__m512bh)_mm512_loadu_si512(wr + q * 32);               \
                for (int p = 0; p < N; p++) acc[p] = _mm512_dpbf16_ps(acc[p], pair(px[p] + ro + 2 * q), wv); \
            }                                                                                \
        }                                                                                    \
        for (int p = 0; p < N; p++) _mm512_mask_storeu_ps(po[p], m, act_v(acc[p], act));    \
    }
GEMM_BLOCK(6)
GEMM_BLOCK(12)
GEMM_BLOCK(1)

/// 6 pixels (ip + p*ps) x 2 blocks of 16 outputs (12 accumulators): the weight vectors are
/// loaded once for both blocks' 6 pixels, each broadcast pair feeds two instructions.
SK_BF16_TARGET static inline void block6x2(const sk_bf16 *ip, ptrdiff_t ps, ptrdiff_t rs, int kh, int pairs,
                                           const sk_bf16 *w, ptrdiff_t wbs, const float *bias, float *op,
                                           ptrdiff_t ops, __mmask16 m1, int act) {
    __m512 a0[6], a1[6];
    const __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_maskz_loadu_ps(m1, bias + 16);
    for (int p = 0; p < 6; p++) { a0[p] = b0; a1[p] = b1; }
    for (int ky = 0; ky < kh; ky++) {
        const sk_bf16 *w0 = w + (ptrdiff_t)ky * pairs * 32, *w1 = w0 + wbs;
        const sk_bf16 *row = ip + ky * rs;
        for (int q = 0; q < pairs; q++) {
            const __m512bh v0 = (__m512bh)_mm512_loadu_si512(w0 + q * 32);
            const __m512bh v1 = (__m512bh)_mm512_loadu_si512(w1 + q * 32);
            for (int p = 0; p < 6; p++) {
                const __m512bh x = pair(row + p * ps + 2 * q);
                a0[p] = _mm512_dpbf16_ps(a0[p], x, v0);
                a1[p] = _mm512_dpbf16_ps(a1[p], x, v1);
            }
        }
    }
    for (int p = 0; p < 6; p++) {
        _mm512_storeu_ps(op + p * ops, act_v(a0[p], act));
        _mm512_mask_storeu_ps(op + p * ops + 16, m1, act_v(a1[p], act));
    }
}

SK_BF16_TARGET static void ins_gemm_tiles(const sk_bf16 *in, ptrdiff_t rs, ptrdiff_t ps, int kh, int pairs,
                                          const sk_bf16 *w, ptrdiff_t wbs, int blocks, const float *bias, float *out,
                                          ptrdiff_t ops, int valid, int act, int width, int t0, int t1) {
    const __mmask16 last = (__mmask16)((1u << valid) - 1);
    int b = 0;
    for (; b + 1 < blocks; b += 2) {
        const __mmask16 m1 = b + 1 == blocks - 1 ? last : (__mmask16)0xffff;
        for (int t = t0; t < t1; t++) {
            int x = 6 * t;
            if (x > width - 6) x = width - 6;
            block6x2(in + (ptrdiff_t)x * ps, ps, rs, kh, pairs, w + b * wbs, wbs, bias + 16 * b,
                     out + (ptrdiff_t)x * ops + 16 * b, ops, m1, act);
        }
    }
    if (b == blocks) return;
    // one block left (the last): two 6-pixel tiles at a time
    const sk_bf16 *wb = w + b * wbs;
    const float *bb = bias + 16 * b;
    const sk_bf16 *px[12];
    float *po[12];
    for (int t = t0; t < t1; ) {
        const int n = (t + 1 < t1) ? 2 : 1;
        for (int k = 0; k < n; k++) {
            int x = 6 * (t + k);
            if (x > width - 6) x = width - 6;
            for (int p = 0; p < 6; p++) {
                px[6 * k + p] = in + (ptrdiff_t)(x + p) * ps;
                po[6 * k + p] = out + (ptrdiff_t)(x + p) * ops + 16 * b;
            }
        }
        if (n == 2) block12(px, rs, kh, pairs, wb, bb, po, last, act);
        else block6(px, rs, kh, pairs, wb, bb, po, last, act);
        t += n;
    }
}

SK_BF16_TARGET static void ins_gemm_pixels(const sk_bf16 *in, ptrdiff_t rs, ptrdiff_t ps, int kh, int pairs,
                                           const sk_bf16 *w, ptrdiff_t wbs, int blocks, const float *bias, float *out,
                                           ptrdiff_t ops, int valid, int act, int count) {
    for (int p = 0; p < count; p++) {
        for (int b = 0; b < blocks; b++) {
            const __mmask16 m = b == blocks - 1 ? (__mmask16)((1u << valid) - 1) : (__mmask16)0xffff;
            const sk_bf16 *px[1] = {in + (ptrdiff_t)p * ps};
            float *po[1] = {out + (ptrdiff_t)p * ops + 16 * b};
            block1(px, rs, kh, pairs, w + b * wbs, bias + 16 * b, po, m, act);
        }
    }
}

// The Winograd input transform storing bf16: winograd_transforms.h's Bᵀ on zmm registers
// (multiplies and adds, contraction off: the float32 kernels' bits), 16 channels at a time
// (a last 8 masked), rounded by vcvtneps2bf16 as it is stored.
#pragma clang fp contract(off)
typedef float bzv __attribute__((vector_size(64)));
SK_BF16_TARGET static inline bzv bsplat(float x) { return (bzv)_mm512_set1_ps(x); }
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))), apply_to = function)
SK_DEFINE_WINOGRAD_TRANSFORMS(bbt6, bat4, bzv, bsplat)
#pragma clang attribute pop

SK_BF16_TARGET static inline __attribute__((always_inline)) void
winograd_input_bf16(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c, sk_bf16 *out,
                    ptrdiff_t xs, const int inside) {
    for (int ch = 0; ch < c; ch += 16) {
        const __mmask16 m = c - ch >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - ch)) - 1);
        bzv temp[36];
        for (int k = 0; k < 6; k++) {
            bzv d[6], t[6];
            for (int r = 0; r < 6; r++)
                d[r] = (inside || (rows[r] >= 0 && cols[k] >= 0))
                    ? (bzv)_mm512_maskz_loadu_ps(m, image + rows[r] + cols[k] + ch) : (bzv){0};
            bbt6(d, t);
            for (int r = 0; r < 6; r++) temp[r * 6 + k] = t[r];
        }
        for (int r = 0; r < 6; r++) {
            bzv u[6];
            bbt6(&temp[r * 6], u);
            for (int k = 0; k < 6; k++)
                _mm256_mask_storeu_epi16(out + ch + (ptrdiff_t)(r * 6 + k) * xs, m, (__m256i)_mm512_cvtneps_pbh((__m512)u[k]));
        }
    }
}

SK_BF16_TARGET static void ins_winograd_input_tile(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols,
                                                   int c, sk_bf16 *out, ptrdiff_t xs) {
    int inside = 1;
    for (int r = 0; r < 6; r++) inside &= (rows[r] >= 0) & (cols[r] >= 0);
    if (inside) winograd_input_bf16(image, rows, cols, c, out, xs, 1);
    else winograd_input_bf16(image, rows, cols, c, out, xs, 0);
}

SK_BF16_TARGET static void ins_dot_lanes(const float *acc, const sk_bf16 *a, const sk_bf16 *b, float *out, int n) {
    int i = 0;
    for (; i < n; i += 16) {
        const int k = n - i < 16 ? n - i : 16;
        const __mmask16 m = (__mmask16)((1u << k) - 1);
        const __m512 c = _mm512_maskz_loadu_ps(m, acc + i);
        const __m512bh av = (__m512bh)_mm512_maskz_loadu_epi32(m, a + 2 * i);
        const __m512bh bv = (__m512bh)_mm512_maskz_loadu_epi32(m, b + 2 * i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_dpbf16_ps(c, av, bv));
    }
}

const sk_bf16_kernels sk_bf16_avx512 = {
    "avx512bf16", ins_from_f32, ins_gemm_tiles, ins_gemm_pixels, ins_winograd_input_tile, ins_dot_lanes,
};
#endif
