/// Unaligned SIMD loads and stores on float pointers, used by every vector kernel.
/// `loadUnaligned` compiles to a plain `vmovups` (or a folded memory operand).

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Fixed size of the pieces elementwise kernels are split into, so the partition
/// never depends on the thread count.
let elementwiseChunk = 1 << 16

/// Lane-wise maximum; compiles to one `vmaxps` (the stdlib's generic `pointwiseMax`
/// is not inlined and costs a call per vector).
@inline(__always)
func max8(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { x.replacing(with: y, where: x .< y) }

/// Lane-wise minimum (`vminps`).
@inline(__always)
func min8(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { x.replacing(with: y, where: y .< x) }
