import StyleModels
import StyleTensor

/// A `LayerObserver` that times every step of a forward pass (wall clock, or thread CPU time
/// with --cpu-time) and keeps, position by position, the best time over repeated passes.
final class LayerTimer: LayerObserver, @unchecked Sendable {
    struct Record {
        var pass: String
        var step: LayerStep
        var output: Shape
        var seconds: Double

        /// 2 k_h k_w (input channels per group) (output channels) (output pixels): the
        /// multiply-adds of a direct convolution, x2.
        var flops: Double? {
            guard let conv = step.conv else { return nil }
            let w = conv.weights
            return 2 * Double(w.kernelH * w.kernelW * w.inChannels * w.outChannels) * Double(output.n * output.pixels)
        }
    }

    /// The pass the next steps belong to (`style`, `content`, `decoder`, ...).
    var pass = ""
    /// Steps of the current pass, in order.
    private(set) var current: [Record] = []
    /// Best time per position over the passes finished with `finishPass()`.
    private(set) var best: [Record] = []

    func run(_ step: LayerStep, _ body: () throws -> Tensor) rethrows -> Tensor {
        let t0 = clockNow()
        let y = try body()
        current.append(Record(pass: pass, step: step, output: y.shape, seconds: clockNow() - t0))
        return y
    }

    /// Records a step the models do not report (the AdaIN swap, timed by the caller).
    func record(_ name: String, kind: String, input: Shape, output: Shape, seconds: Double) {
        current.append(Record(pass: pass, step: LayerStep(name: name, kind: kind, input: input), output: output, seconds: seconds))
    }

    /// Ends one whole forward pass: its times are merged into `best` (the steps must be the same).
    func finishPass() {
        defer { current = [] }
        guard !best.isEmpty else { best = current; return }
        precondition(best.count == current.count && zip(best, current).allSatisfy { $0.step.name == $1.step.name },
                     "the forward pass took different steps")
        for i in best.indices { best[i].seconds = min(best[i].seconds, current[i].seconds) }
    }

    /// Forgets everything recorded (after a warm-up pass).
    func reset() { current = []; best = [] }
}
