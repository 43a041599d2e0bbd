import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// Runs Magenta's transformer on an image within a memory budget.
enum MagentaSweep {
    static func run(_ transformer: MagentaTransformer, content: Image, style: [Float], norm: NormKind,
                    budget: Int, bandRows: Int, policy: StatisticsPolicy?, control: RunControl) throws -> Image {
        let tensor = Tensor(image: content)
        let out: Tensor
        if let policy {
            out = try transformer(tensor, style: style, norm: norm) { try policy.choose($0, $1) }
        } else {
            out = try transformer(tensor, style: style, norm: norm)
        }
        return Image(tensor: out, alpha: content.alpha)
    }
}

extension MagentaSweep {
    static func plan(_ transformer: MagentaTransformer, width: Int, height: Int, budget: Int, bandRows: Int) throws -> RunPlan {
        let fp = transformer.footprint
        let frame = transformer.layout.frameSize(contentHeight: height, contentWidth: width)
        return RunPlan(pieces: 1, unit: "bands", estimatedPeakBytes: fp.weightBytes + frame.height * frame.width * 4 * fp.floatsPerPixel + 6 * width * height)
    }
}
