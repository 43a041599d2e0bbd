/// Sorts Floats ascending (-0 before +0, NaNs last) by a least-significant-digit radix sort
/// on order-preserving 32-bit keys, 4 passes of 8 bits: key = bits ^ 0x8000_0000 for a
/// value with the sign bit clear, ~bits for one with it set. Linear time; the result is the
/// same sequence of values as `sort()` gives (except that -0 sorts before +0). `scratch`
/// holds at least `values.count` keys. Tested against `sort()` (its naive twin).
func radixSort(_ values: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<UInt32>) {
    let n = values.count
    guard n > 1 else { return }
    precondition(scratch.count >= n, "radixSort: scratch too small")
    values.withMemoryRebound(to: UInt32.self) { keys in
        for i in 0..<n {
            let b = keys[i]
            keys[i] = b & 0x8000_0000 == 0 ? b ^ 0x8000_0000 : ~b
        }
        var source = keys, target = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
        var counts = [Int](repeating: 0, count: 256)
        for pass in 0..<4 {
            let shift = UInt32(8 * pass)
            for i in 0..<256 { counts[i] = 0 }
            for i in 0..<n { counts[Int((source[i] >> shift) & 0xFF)] += 1 }
            var total = 0
            for i in 0..<256 { let c = counts[i]; counts[i] = total; total += c }
            for i in 0..<n {
                let k = source[i], d = Int((k >> shift) & 0xFF)
                target[counts[d]] = k
                counts[d] += 1
            }
            swap(&source, &target)
        }
        // An even number of passes: the sorted keys are back in `keys`. Undo the transform.
        for i in 0..<n {
            let k = keys[i]
            keys[i] = k & 0x8000_0000 != 0 ? k ^ 0x8000_0000 : ~k
        }
    }
}
