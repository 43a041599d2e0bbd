import Testing
import StyleKernels
import StyleTensor

/// The tensor type's layout and the crop operation (Swift Testing, so both runners of
/// `swift test` report real tests).
@Suite struct TensorTests {
    @Test func nhwcIndexing() {
        var t = Tensor(shape: Shape(n: 2, h: 3, w: 4, c: 5))
        t[1, 2, 3, 4] = 7
        #expect(t.data.last == 7)
        #expect(t.shape.index(n: 0, y: 1, x: 0, c: 0) == 20)
        #expect(t.shape.index(n: 1, y: 0, x: 0, c: 0) == 60)
    }

    @Test func cropCopiesTheWindowOfEverySample() {
        let shape = Shape(n: 2, h: 5, w: 6, c: 3)
        let x = Tensor(shape: shape, data: (0..<shape.count).map(Float.init))
        let y = crop(x, top: 1, left: 2, height: 3, width: 4)
        #expect(y.shape == Shape(n: 2, h: 3, w: 4, c: 3))
        for n in 0..<2 { for i in 0..<3 { for j in 0..<4 { for c in 0..<3 {
            #expect(y[n, i, j, c] == x[n, i + 1, j + 2, c])
        } } } }
        #expect(crop(x, top: 0, left: 0, height: 5, width: 6) == x)
    }
}

/// What the start-up dispatcher reports (the kernels themselves are tested per variant in
/// `KernelISATests`).
@Suite struct CPUFeaturesTests {
    @Test func summaryNamesTheActiveKernels() {
        #expect(CPUFeatures.summary.hasPrefix("kernels: \(KernelISA.active.name) "))
        #expect(KernelISA.supported.contains(.generic))
        #expect(KernelISA.supported.contains(KernelISA.active))
    }
}
