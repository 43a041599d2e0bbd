/// The network families the engine runs.
///
/// - `adain`: an encoder, a statistic swap at the bottleneck and a decoder (Huang &
///   Belongie 2017): the project's default model or the official pytorch-AdaIN weights.
/// - `magenta`: Magenta's arbitrary-stylization transformer (Ghiasi et al. 2017) for style
///   images, and its 26-style predecessor (Dumoulin et al. 2017) for presets.
public enum ModelFamily: String, CaseIterable, Sendable, CustomStringConvertible {
    case adain
    case magenta

    public var description: String { rawValue }
}
