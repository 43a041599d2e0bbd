// The hot loops of StyleKernels, compiled once per instruction set and chosen at
// start-up (the pattern of onnxruntime's MlasPlatform and simdjson's implementations).
//
// Every kernel exists in a portable variant (separate multiply and add, 4-lane vectors:
// SSE2 on x86-64, plain code elsewhere), an AVX2+FMA variant compiled through per-function
// target attributes (x86-64 only), an AVX-512F variant (the AVX2 one with a 16-lane conv
// tile, bit-identical results; x86-64 only), and a NEON variant with fused multiply-add
// (aarch64 only). No compiler flag is needed: the package builds for the baseline ISA and the
// dispatcher (compiled for the baseline too) looks at CPUID and the OS's saved vector
// state once, when the library is loaded, before any kernel can run.
//
// Pointers and sizes are trusted: the Swift callers check shapes once per call.
#ifndef CSTYLEKERNELS_H
#define CSTYLEKERNELS_H

#include <stddef.h>
#include "sk_bf16.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets a kernel table can be built for.
typedef enum sk_isa {
    SK_ISA_GENERIC = 0,
    SK_ISA_AVX2 = 1,
    SK_ISA_NEON = 2,
    SK_ISA_AVX512F = 3,
} sk_isa;

/// Activations the kernels fuse (0 none, 1 relu, 2 relu6), as StyleKernels.FusedActivation.
typedef int sk_act;

/// One table of kernels, all for the same instruction set.
typedef struct sk_kernels {
    /// "generic", "avx2+fma", "avx512f" or "neon".
    const char *name;
    sk_isa isa;

    /// out[p][co] = act(bias[co] + Σ_{ky<kh, kx<kw, i<cin} in[p*ps + ky*rs + kx*ts + i] * w[((ky*kw + kx)*cin + i)*16 + co])
    /// for the 6-pixel tiles t0..<t1 of a row of `width` (>= 6) pixels: tile t covers pixels
    /// x..x+5 with x = min(6t, width - 6) (the last tile may overlap its neighbour), 16 output
    /// channels of which the first `valid` are stored (output pixel stride `ops`).
    void (*conv_tiles_6x16)(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts,
                            int kh, int kw, int cin, const float *w, const float *bias,
                            float *out, ptrdiff_t ops, int valid, sk_act act,
                            int width, int t0, int t1);
    /// The same formula one pixel at a time, for pixels 0..<count.
    void (*conv_pixels_1x16)(const float *in, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t ts,
                             int kh, int kw, int cin, const float *w, const float *bias,
                             float *out, ptrdiff_t ops, int valid, sk_act act, int count);

    /// V = Bᵀ d B of Winograd F(4x4,3x3) for the 6x6 patch d[r][k][ch] = image[rows[r] + cols[k] + ch]
    /// (r, k < 6, c channels, a multiple of 8), 0 where rows[r] or cols[k] is negative (padding
    /// and upsampling are index maps: no padded or upsampled copy); V[ξ][ch] stored at out[ξ*xs + ch].
    void (*winograd_input_tile)(const float *image, const ptrdiff_t *rows, const ptrdiff_t *cols, int c,
                                float *out, ptrdiff_t xs);
    /// Y = act(Aᵀ M A + bias) for the 4x4 output tile at (y0, x0), M[ξ][co] at m[ξ*xs + co],
    /// out_c a multiple of 8; only outputs inside out_h x out_w are stored.
    void (*winograd_output_tile)(const float *m, ptrdiff_t xs, int out_c, const float *bias,
                                 sk_act act, float *out, int out_h, int out_w, int y0, int x0);

    /// One output row of the few-output-channel direct conv (vectorised over the reduction):
    /// out[x][o] = act(bias[o] + R) for o < out_c (<= 4), R the lane tree (h8[l] = a[l] + a[l+8],
    /// h4, h2, then h2[0] + h2[1]) of the 16 partial sums a[l] of the terms
    /// in_row[ky*in_w*cin + x*s*cin + j] * w[(o*kh + ky)*kw*cin + j] with j ≡ l (mod 16), j < kw*cin/16*16,
    /// then the leftover j one multiply-add each; w holds 4 output channels (zero rows past out_c).
    void (*tap_lanes_conv_row)(const float *in_row, int in_w, int cin, int s, int kh, int kw,
                               const float *w, const float *bias, int out_c, sk_act act,
                               float *out_row, int out_w);

    /// One output row of the pixel-vectorised planar conv (stride 1, 1 to 8 outputs, any out_w >= 1):
    /// out[x*ops + o] = act(bias[o] + Σ_{i, ky, kx} base[i*plane + ky*rs + x + kx] * oihw[((o*cin + i)*kh + ky)*kw + kx]),
    /// the sum in (i, ky, kx) order. ops = out_c for an NHWC row; 2*out_c writes every other pixel
    /// (one column phase of an upsampled conv).
    void (*pixel_lanes_conv_row)(const float *base, ptrdiff_t plane, ptrdiff_t rs, int cin,
                                  int kh, int kw, const float *oihw, const float *bias, int out_c,
                                  sk_act act, float *out_row, ptrdiff_t ops, int out_w);

    /// One output row of the depthwise conv (NHWC, weights [ky][kx][c]):
    /// out[x][ch] = act(bias[ch] + Σ_{ky, kx} in_row[ky*rs + (x*s + kx)*c + ch] * w[(ky*kw + kx)*c + ch]).
    void (*depthwise_row)(const float *in_row, ptrdiff_t rs, int c, int s, int kh, int kw,
                          const float *w, const float *bias, sk_act act, float *out_row, int out_w);

    /// c_k <- c_k * 0.999999 + 1e-7, 12 chains of 8 lanes, `iterations` times; returns the sum.
    float (*peak_loop)(long iterations, float seed);

    /// Double precision: c[i*ldc + j] += Σ_{p<k} a[i*ais + p*aps] * b[p*ldb + j] for i < m,
    /// j < n (any strides of a: a product, a transposed product or a Gram matrix); with
    /// `upper`, tiles wholly below the diagonal are skipped.
    void (*dgemm_acc)(int m, int n, int k, const double *a, ptrdiff_t ais, ptrdiff_t aps,
                      const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc, int upper);
    /// Double precision plane rotation of two rows, k < n: t = y[k]; y[k] = s x[k] + c t; x[k] = c x[k] - s t.
    void (*drot)(double *x, double *y, int n, double c, double s);
} sk_kernels;

/// Per-channel sums in Double over `pixels` NHWC pixels of `channels` channels, in pixel order:
/// acc[c] = Σ_p x[p*channels + c], or Σ_p (x[p*channels + c] - center[c])² when `center` is not
/// NULL (one double addition per term, the square not fused): Statistics' partial sums.
/// Portable (channel_sums.c), the same bits on every CPU.
void sk_channel_sums(const float *x, ptrdiff_t pixels, int channels, const double *center, double *acc);

/// The table in use. Set once when the library is loaded (STYLIZE_ISA=generic|avx2|avx512f|neon
/// forces one; unset or "auto" takes the best the CPU supports).
const sk_kernels *sk_active(void);
/// The table for `isa` if it is compiled for this architecture and the CPU (and OS) run it, else NULL.
const sk_kernels *sk_table(sk_isa isa);
/// Makes `isa` the active table; returns 0, or -1 (and changes nothing) if it cannot run here.
int sk_select(sk_isa isa);
/// What the start-up selection had to say about STYLIZE_ISA (an unknown or unsupported
/// value), or NULL when it was honoured or unset.
const char *sk_startup_note(void);
/// 1 when the CPU has AVX2 and FMA and the OS saves the AVX registers (x86-64 only).
int sk_cpu_has_avx2_fma(void);
/// 1 when, in addition, the CPU has AVX-512F and the OS saves the opmask and zmm registers.
int sk_cpu_has_avx512f(void);

#ifdef __cplusplus
}
#endif
#endif
