import Foundation
import ImageCodecs
import StylizeEngine

/// An image the gallery shows, with the name its captions use.
public struct NamedImage: Sendable {
    public var name: String
    public var image: Image

    public init(name: String, image: Image) { self.name = name; self.image = image }
}

/// A model family as the gallery shows it: an engine and the label of its column.
public struct GalleryModel: Sendable {
    public var label: String
    public var engine: StyleEngine

    public init(label: String, engine: StyleEngine) { self.label = label; self.engine = engine }
}

/// Settings of `stylize gallery`.
public struct GallerySettings: Sendable {
    /// Longer side of each cell in pixels (the stylized images are shrunk to it for display).
    public var cellSide = 256
    /// The transfer settings of every run (`contentSize`: the size the photos are stylized at,
    /// as a single transfer would; alpha, norm, budget).
    public var options = TransferOptions()

    public init() {}
}

/// Every content with every style by every model family, in one captioned grid:
///
///                 | style A      |              | style B      |
///     content 1   | A, model 1   | A, model 2   | B, model 1   | B, model 2
///     content 2   | ...
///
/// The first row shows each style above its first model's column; every cell is captioned
/// (content name; style and model label). Each pair is stylized as a single transfer with
/// `options` would (same size, same memory budget), then shrunk to the cell for display.
public enum Gallery {
    public static func render(contents: [NamedImage], styles: [NamedImage], models: [GalleryModel],
                              settings: GallerySettings, control: RunControl = .init()) throws -> Image {
        guard !contents.isEmpty, !styles.isEmpty, !models.isEmpty else {
            throw EngineError.unsupported("a gallery needs at least one content image, one style and one model")
        }
        guard settings.cellSide >= 16 else { throw OptionError(.cellSize, "\(option: .cellSize) must be at least 16 pixels, got \(settings.cellSide)") }
        try settings.options.validate(styleCount: 1)
        let fit = { (image: Image) in PresetSheet.displaySize(image, longerSide: settings.cellSide) }
        let inner = RunControl(cancellation: control.cancellation, note: control.note)
        let total = contents.count * styles.count * models.count
        var done = 0

        var header = [SheetCell(image: nil, caption: ["photo \\ style"], placeholder: false)]
        for style in styles {
            header.append(SheetCell(image: fit(style.image), caption: ["style: " + style.name]))
            header += Array(repeating: SheetCell.blank, count: models.count - 1)
        }
        var rows = [header]
        for content in contents {
            let prepared = StyleEngine.prepareContent(content.image, options: settings.options)
            var row = [SheetCell(image: fit(prepared), caption: [content.name])]
            for style in styles {
                for model in models {
                    try control.check()
                    let out = try model.engine.stylize(prepared, styles: [.image(style.image, name: style.name)],
                                                       options: settings.options, control: inner)
                    row.append(SheetCell(image: fit(out), caption: [style.name + ", " + model.label]))
                    done += 1
                    control.progress?(EngineProgress(phase: "images", done: done, total: total))
                }
            }
            rows.append(row)
        }
        return stack(rows)
    }

    /// The rows as one image: each row a one-row `ContactSheet` as tall as its tallest image
    /// (a square photo does not make every row square), all as wide as the widest image.
    static func stack(_ rows: [[SheetCell]]) -> Image {
        let tileWidth = rows.flatMap { $0 }.compactMap(\.image).map(\.width).max() ?? 1
        let columns = rows.map(\.count).max() ?? 1
        let sheets = rows.map { row -> Image in
            let tileHeight = row.compactMap(\.image).map(\.height).max() ?? 1
            return ContactSheet(columns: columns, rows: 1, tileWidth: tileWidth, tileHeight: tileHeight,
                                captionLines: 1, scale: tileWidth >= 200 ? 2 : 1).render([row])
        }
        // Each sheet has a gap above and below; consecutive rows share one.
        let gap = ContactSheet(columns: 1, rows: 1, tileWidth: 1, tileHeight: 1, captionLines: 1, scale: 1).gap
        var canvas = Canvas(width: sheets[0].width, height: sheets.map(\.height).reduce(0, +) - gap * (sheets.count - 1))
        var y = 0
        for sheet in sheets {
            canvas.paste(sheet, x: 0, y: y)
            y += sheet.height - gap
        }
        return canvas.image
    }
}
