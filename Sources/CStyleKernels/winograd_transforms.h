// Winograd F(4x4, 3x3)'s input and output transforms as one macro for every vector type:
// kernel_body.h instantiates it per instruction set (and the AVX-512F variant on zmm
// registers), bf16_avx512.c for the transform that stores bf16. Multiplies and adds only:
// the including file turns floating-point contraction off, so every instantiation gives the
// same bits lane for lane.
#ifndef SK_WINOGRAD_TRANSFORMS_H
#define SK_WINOGRAD_TRANSFORMS_H

#ifndef SK_INLINE
#define SK_INLINE static inline __attribute__((always_inline))
#endif

/// Bᵀ and Aᵀ of F(4x4, 3x3) applied to six vectors of type V (SPLAT broadcasts a float), as
/// functions BT6 and AT4; the one definition for every vector width, so the AVX-512F variant's
/// 16-lane transforms are these formulas too (bit-identical lanes):
///   BT6: t0 = 4d0 - 5d2 + d4,  t1 = -4d1 - 4d2 + d3 + d4,  t2 = 4d1 - 4d2 - d3 + d4,
///        t3 = -2d1 - d2 + 2d3 + d4,  t4 = 2d1 - d2 - 2d3 + d4,  t5 = 4d1 - 5d3 + d5
///   AT4: y0 = m0 + m1 + m2 + m3 + m4, y1 = (m1 - m2) + 2(m3 - m4),
///        y2 = (m1 + m2) + 4(m3 + m4), y3 = (m1 - m2) + 8(m3 - m4) + m5
#define SK_DEFINE_WINOGRAD_TRANSFORMS(BT6, AT4, V, SPLAT)                  \
    SK_INLINE void BT6(const V d[6], V t[6]) {                              \
        const V four = SPLAT(4), five = SPLAT(5), two = SPLAT(2);          \
        V a = d[4] - four * d[2];                                           \
        V b = d[3] - four * d[1];                                           \
        V c = d[4] - d[2];                                                  \
        V e = two * (d[3] - d[1]);                                          \
        t[0] = four * d[0] - five * d[2] + d[4];                            \
        t[1] = a + b;                                                       \
        t[2] = a - b;                                                       \
        t[3] = c + e;                                                       \
        t[4] = c - e;                                                       \
        t[5] = four * d[1] - five * d[3] + d[5];                            \
    }                                                                       \
    SK_INLINE void AT4(const V m[6], V y[4]) {                              \
        V s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4]; \
        y[0] = m[0] + s12 + s34;                                            \
        y[1] = d12 + SPLAT(2) * d34;                                        \
        y[2] = s12 + SPLAT(4) * s34;                                        \
        y[3] = d12 + SPLAT(8) * d34 + m[5];                                 \
    }

#endif
