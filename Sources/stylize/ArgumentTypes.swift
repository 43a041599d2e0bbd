import ArgumentParser
import StyleKernels
import StylizeEngine

extension ModelFamily: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}

/// The help of every command's `--precision`.
let precisionHelp = ArgumentHelp(
    "Arithmetic of the networks' convolutions: f32 (default) or bf16 (bfloat16 products, float32 sums: faster on CPUs with AVX512_BF16, exactly emulated and slower elsewhere; outputs differ from f32 by about a level, see BENCHMARKS.md).")
