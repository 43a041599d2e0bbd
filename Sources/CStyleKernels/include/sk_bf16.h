// Reduced-precision (bfloat16) kernels: the arithmetic of AVX512_BF16's vdpbf16ps, run by
// the instruction where the CPU has it and emulated exactly everywhere else, so that a
// result never depends on the machine or the thread count.
//
// bf16(x), a float rounded to bfloat16 (the bits kept are the float's upper 16):
//   NaN -> its upper half with the quiet bit set; zero or denormal (exponent field 0) -> the
//   signed zero; else rounded to nearest, ties to even, at bit 16 (vcvtneps2bf16).
//
// dot(acc, a, b), one fp32 lane of vdpbf16ps over a pair (a0, a1) x (b0, b1) of bf16:
//   acc <- F(a1 * b1 + acc); acc <- F(a0 * b0 + acc)       (the odd element first)
// where the products are exact (8-bit significands), operands whose exponent field is 0 read
// as signed zeros (DAZ, acc included), and F rounds to nearest even once (a fused
// multiply-add) and then flushes to the signed zero a result whose magnitude, rounded to 24
// bits with an unbounded exponent, is below 2^-126 (FTZ). This is Intel's definition of the
// instruction; the tests compare the instruction with the emulation lane by lane (random
// bits, denormals, infinities) on every machine that has it.
#ifndef SK_BF16_H
#define SK_BF16_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A bfloat16 value, its raw 16 bits (sign, 8 exponent bits, 7 fraction bits).
typedef unsigned short sk_bf16;

/// One set of reduced-precision kernels: the instruction's or the portable emulation.
typedef struct sk_bf16_kernels {
    /// "avx512bf16" (the instruction) or "emulated" (portable scalar code, same bits).
    const char *name;

    /// dst[i] = bf16(src[i]) for i < n.
    void (*from_f32)(const float *src, size_t n, sk_bf16 *dst);

    /// The bf16 GEMM tile. For the 6-pixel tiles t0..<t1 of a row of `width` (>= 6) pixels
    /// (tile t covers pixels x..x+5, x = min(6t, width - 6)), the blocks b < `blocks` of 16
    /// output channels and co < 16 (co < valid in the last block), with o = 16b + co:
    ///   acc = bias[o]; for ky < kh, q < pairs in that order:
    ///     acc <- dot(acc, in[p*ps + ky*rs + 2q + (0, 1)], w[b*wbs + ((ky*pairs + q)*16 + co)*2 + (0, 1)]);
    ///   out[p*ops + o] = act(acc)      (act: 0 none, 1 relu, 2 relu6)
    /// Strides in elements; ps and rs even.
    void (*gemm_tiles)(const sk_bf16 *in, ptrdiff_t rs, ptrdiff_t ps, int kh, int pairs,
                       const sk_bf16 *w, ptrdiff_t wbs, int blocks, const float *bias, float *out, ptrdiff_t ops,
                       int valid, int act, int width, int t0, int t1);
    /// The same formula one pixel at a time, for pixels 0..<count.
    void (*gemm_pixels)(const sk_bf16 *in, ptrdiff_t rs, ptrdiff_t ps, int kh, int pairs,
                        const sk_bf16 *w, ptrdiff_t wbs, int blocks, const float *bias, float *out, ptrdiff_t ops,
                        int valid, int act, int count);

    /// V = Bᵀ d B of Winograd F(4x4,3x3) for the 6x6 patch d[r][k][ch] = image[rows[r] + cols[k] + ch]
    /// (c channels, a multiple of 8; 0 where rows[r] or cols[k] is negative), computed as the
    /// float32 kernels' winograd_input_tile computes it, stored rounded: out[ξ*xs + ch] = bf16(V[ξ][ch]).
    void (*winograd_input_tile)(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c,
                                sk_bf16 *out, ptrdiff_t xs);

    /// Test hook: out[i] = dot(acc[i], a[2i..2i+1], b[2i..2i+1]) for i < n, any bits.
    void (*dot_lanes)(const float *acc, const sk_bf16 *a, const sk_bf16 *b, float *out, int n);
} sk_bf16_kernels;

/// The portable emulation.
extern const sk_bf16_kernels sk_bf16_emulated;
/// The AVX512_BF16 kernels when this CPU (and OS) can run them, else NULL.
const sk_bf16_kernels *sk_bf16_instruction(void);
/// The kernels in use: the instruction's when the active f32 table is AVX-512F and the CPU
/// has AVX512_BF16, else the emulation; STYLIZE_BF16=emulated forces the emulation.
const sk_bf16_kernels *sk_bf16_active(void);
/// Makes the instruction's kernels (1) or the emulation (0) active; -1 if the CPU lacks them.
int sk_bf16_select(int instruction);
/// 1 when the CPU has AVX512_BF16 (with AVX-512F and the OS's zmm state).
int sk_cpu_has_avx512bf16(void);

#ifdef __cplusplus
}
#endif
#endif
