// The start-up choice of kernels. Compiled for the baseline ISA (no target attributes):
// this code runs on every CPU of the architecture, before any kernel can.
//
// x86-64: AVX2 kernels need CPUID.1:ECX.FMA[12], .OSXSAVE[27], .AVX[28], CPUID.(7,0):EBX.AVX2[5],
// and XCR0 bits 1 and 2 (the OS saves SSE and AVX state), read with XGETBV; AVX-512F kernels
// need all that, CPUID.(7,0):EBX.AVX512F[16] and XCR0 bits 5-7 (opmask and zmm state).
// aarch64: NEON is part of the baseline.
#include "CStyleKernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

extern const sk_kernels sk_kernels_generic;
#if defined(__x86_64__)
extern const sk_kernels sk_kernels_avx2;
extern const sk_kernels sk_kernels_avx512f;
#endif
#if defined(__aarch64__)
extern const sk_kernels sk_kernels_neon;
#endif

int sk_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
    if ((c & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6u) != 6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & (1u << 5)) != 0;
#else
    return 0;
#endif
}

int sk_cpu_has_avx512f(void) {
#if defined(__x86_64__)
    if (!sk_cpu_has_avx2_fma()) return 0;  // also checked: CPUID leaf 7 exists, OSXSAVE
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    if ((b & (1u << 16)) == 0) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    return (xcr0_lo & 0xe6u) == 0xe6u;
#else
    return 0;
#endif
}

const sk_kernels *sk_table(sk_isa isa) {
    switch (isa) {
    case SK_ISA_GENERIC: return &sk_kernels_generic;
    case SK_ISA_AVX2:
#if defined(__x86_64__)
        return sk_cpu_has_avx2_fma() ? &sk_kernels_avx2 : NULL;
#else
        return NULL;
#endif
    case SK_ISA_AVX512F:
#if defined(__x86_64__)
        return sk_cpu_has_avx512f() ? &sk_kernels_avx512f : NULL;
#else
        return NULL;
#endif
    case SK_ISA_NEON:
#if defined(__aarch64__)
        return &sk_kernels_neon;
#else
        return NULL;
#endif
    }
    return NULL;
}

static const sk_kernels *active = &sk_kernels_generic;
static char note[256];

const sk_kernels *sk_active(void) { return __atomic_load_n(&active, __ATOMIC_ACQUIRE); }

int sk_select(sk_isa isa) {
    const sk_kernels *t = sk_table(isa);
    if (!t) return -1;
    __atomic_store_n(&active, t, __ATOMIC_RELEASE);
    return 0;
}

const char *sk_startup_note(void) { return note[0] ? note : NULL; }

static const sk_kernels *best(void) {
    const sk_kernels *t;
    if ((t = sk_table(SK_ISA_AVX512F))) return t;
    if ((t = sk_table(SK_ISA_AVX2))) return t;
    if ((t = sk_table(SK_ISA_NEON))) return t;
    return &sk_kernels_generic;
}

static void sk_bf16_startup(void);

/// Runs when the library is loaded: the best table for this CPU, or the one STYLIZE_ISA names.
__attribute__((constructor)) static void sk_startup(void) {
    const sk_kernels *chosen = best();
    const char *want = getenv("STYLIZE_ISA");
    if (want && *want && strcmp(want, "auto") != 0) {
        const sk_kernels *t = NULL;
        int known = 1;
        if (strcmp(want, "generic") == 0) t = sk_table(SK_ISA_GENERIC);
        else if (strcmp(want, "avx2") == 0 || strcmp(want, "avx2+fma") == 0) t = sk_table(SK_ISA_AVX2);
        else if (strcmp(want, "avx512f") == 0 || strcmp(want, "avx512") == 0) t = sk_table(SK_ISA_AVX512F);
        else if (strcmp(want, "neon") == 0) t = sk_table(SK_ISA_NEON);
        else known = 0;
        if (t) {
            chosen = t;
        } else if (!known) {
            snprintf(note, sizeof note, "STYLIZE_ISA=%s is not one of generic, avx2, avx512f, neon, auto; using %s kernels",
                     want, chosen->name);
        } else {
            snprintf(note, sizeof note, "STYLIZE_ISA=%s: this CPU (or its operating system) does not support it; using %s kernels",
                     want, chosen->name);
        }
        if (note[0]) fprintf(stderr, "warning: %s\n", note);
    }
    active = chosen;
    sk_bf16_startup();
}

// ---- bf16 kernels (sk_bf16.h) ----------------------------------------------------------
// AVX512_BF16: CPUID.(7,1):EAX[5], on top of AVX-512F (and the OS's zmm state) and
// AVX512BW/VL (CPUID.(7,0):EBX[30], [31]), which the kernels' masked moves use.

#if defined(__x86_64__)
extern const sk_bf16_kernels sk_bf16_avx512;
#endif

int sk_cpu_has_avx512bf16(void) {
#if defined(__x86_64__)
    if (!sk_cpu_has_avx512f()) return 0;
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    if ((b & (3u << 30)) != (3u << 30) || a < 1) return 0;
    __cpuid_count(7, 1, a, b, c, d);
    return (a & (1u << 5)) != 0;
#else
    return 0;
#endif
}

const sk_bf16_kernels *sk_bf16_instruction(void) {
#if defined(__x86_64__)
    return sk_cpu_has_avx512bf16() ? &sk_bf16_avx512 : NULL;
#else
    return NULL;
#endif
}

static const sk_bf16_kernels *bf16_active = &sk_bf16_emulated;

const sk_bf16_kernels *sk_bf16_active(void) { return __atomic_load_n(&bf16_active, __ATOMIC_ACQUIRE); }

int sk_bf16_select(int instruction) {
    const sk_bf16_kernels *t = instruction ? sk_bf16_instruction() : &sk_bf16_emulated;
    if (!t) return -1;
    __atomic_store_n(&bf16_active, t, __ATOMIC_RELEASE);
    return 0;
}

/// Called by sk_startup once the f32 table is chosen: the instruction with the AVX-512F
/// table, unless STYLIZE_BF16=emulated.
static void sk_bf16_startup(void) {
    const char *want = getenv("STYLIZE_BF16");
    const int emulate = want && strcmp(want, "emulated") == 0;
    const sk_kernels *t = sk_active();
    if (!emulate && t->isa == SK_ISA_AVX512F && sk_bf16_instruction()) bf16_active = sk_bf16_instruction();
}
