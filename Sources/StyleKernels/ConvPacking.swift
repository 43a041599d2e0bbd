/// Weight layouts the convolution kernels read, made once from PyTorch's OIHW.
///
/// General (grouped) convolution, `Conv2DKernel`: for each group g and block b of
/// 16 output channels of that group, the weights are stored
/// `[g][b][ky][kx][ci][16]`, so the micro-kernel reads two 8-wide vectors per input
/// channel and tap, in order. Output channels past the group's end are zero.
/// Bias: `[g][b][16]`, zero padded.
///
/// Depthwise convolution, `DepthwiseConvKernel`: `[ky][kx][c]`.
public enum ConvPacking {
    /// Output channels per weight block of the general kernel.
    public static let block = 16

    /// Number of 16-channel blocks per group.
    public static func blocksPerGroup(outChannels: Int, groups: Int) -> Int {
        (outChannels / groups + block - 1) / block
    }

    /// Floats in the packed weights of the general kernel.
    public static func packedCount(outChannels: Int, inChannelsPerGroup: Int,
                                   kernelH: Int, kernelW: Int, groups: Int) -> Int {
        groups * blocksPerGroup(outChannels: outChannels, groups: groups) * kernelH * kernelW * inChannelsPerGroup * block
    }

    /// Floats in the packed bias of the general kernel.
    public static func packedBiasCount(outChannels: Int, groups: Int) -> Int {
        groups * blocksPerGroup(outChannels: outChannels, groups: groups) * block
    }

    /// Packs OIHW weights (`outChannels x inChannelsPerGroup x kernelH x kernelW`)
    /// into `output` (`packedCount` floats), and the bias (or zeros) into `biasOutput`.
    public static func pack(oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            outChannels: Int, inChannelsPerGroup cpg: Int,
                            kernelH kh: Int, kernelW kw: Int, groups: Int,
                            output: UnsafeMutablePointer<Float>,
                            biasOutput: UnsafeMutablePointer<Float>) {
        let opg = outChannels / groups
        let nb = blocksPerGroup(outChannels: outChannels, groups: groups)
        var dst = output
        for g in 0..<groups {
            for b in 0..<nb {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        for ci in 0..<cpg {
                            for lane in 0..<block {
                                let co = b * block + lane
                                if co < opg {
                                    let o = g * opg + co
                                    dst.pointee = oihw[((o * cpg + ci) * kh + ky) * kw + kx]
                                } else {
                                    dst.pointee = 0
                                }
                                dst += 1
                            }
                        }
                    }
                }
                for lane in 0..<block {
                    let co = b * block + lane
                    biasOutput[(g * nb + b) * block + lane] =
                        (co < opg) ? (bias?[g * opg + co] ?? 0) : 0
                }
            }
        }
    }

    /// Packs depthwise OIHW weights (`channels x 1 x kernelH x kernelW`) as `[ky][kx][c]`.
    public static func packDepthwise(oihw: UnsafePointer<Float>, channels: Int,
                                     kernelH kh: Int, kernelW kw: Int,
                                     output: UnsafeMutablePointer<Float>) {
        for ky in 0..<kh {
            for kx in 0..<kw {
                for c in 0..<channels {
                    output[(ky * kw + kx) * channels + c] = oihw[(c * kh + ky) * kw + kx]
                }
            }
        }
    }
}
