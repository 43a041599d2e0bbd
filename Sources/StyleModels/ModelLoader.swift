import StyleWeights

/// Builds the model a weights file describes, from its `architecture` metadata.
public enum ModelLoader {
    /// Opens (memory-maps) `path` and builds its network; every shape is checked.
    public static func load(path: String) throws -> any StyleTransferModel {
        let file = try SafeTensorsFile(path: path)
        switch file.metadata["architecture"] {
        case "adain-vgg19": return try AdaINVGG(file: file)
        case "adain-mobilenet-s8": return try AdaINMobile(file: file)
        case let other: throw ModelError.unknownArchitecture(file: path, architecture: other)
        }
    }
}
