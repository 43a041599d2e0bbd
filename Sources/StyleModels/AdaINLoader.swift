import StyleWeights

/// Builds the AdaIN-family network a weights file describes, from its `architecture`
/// metadata (`adain-vgg19`, `adain-mobilenet-s8`); Magenta's networks load through `MagentaModel`.
public enum AdaINLoader {
    /// Opens (memory-maps) `path` and builds its network; every shape is checked.
    public static func load(path: String) throws -> any AdaINNetwork {
        let file = try SafeTensorsFile(path: path)
        switch file.metadata["architecture"] {
        case "adain-vgg19": return try AdaINVGG(file: file)
        case "adain-mobilenet-s8": return try AdaINMobile(file: file)
        case let other: throw ModelError.unknownArchitecture(file: path, architecture: other)
        }
    }
}
