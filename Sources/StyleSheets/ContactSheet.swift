import ImageCodecs
import StylizeEngine

/// An RGB drawing surface for contact sheets: solid fills, pasted images and text in
/// `BitmapFont`. Everything drawn is clipped to the canvas.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// R, G, B per pixel, top row first.
    public private(set) var rgb: [UInt8]

    public init(width: Int, height: Int, background: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        precondition(width > 0 && height > 0, "a canvas needs a positive size")
        self.width = width; self.height = height
        rgb = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    /// Paints a rectangle.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: (UInt8, UInt8, UInt8)) {
        let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 {
                let i = (yy * width + xx) * 3
                rgb[i] = color.0; rgb[i + 1] = color.1; rgb[i + 2] = color.2
            }
        }
    }

    /// Copies `image` with its top-left corner at (x, y); alpha is ignored.
    public mutating func paste(_ image: Image, x: Int, y: Int) {
        for sy in 0..<image.height {
            let ty = y + sy
            guard ty >= 0, ty < height else { continue }
            for sx in 0..<image.width {
                let tx = x + sx
                guard tx >= 0, tx < width else { continue }
                let s = (sy * image.width + sx) * 3, t = (ty * width + tx) * 3
                rgb[t] = image.rgb[s]; rgb[t + 1] = image.rgb[s + 1]; rgb[t + 2] = image.rgb[s + 2]
            }
        }
    }

    /// Draws `text` with its top-left at (x, y), each font pixel a `scale` x `scale` square.
    public mutating func draw(text: String, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        for (k, ch) in text.enumerated() {
            let gx = x + k * BitmapFont.advance * scale
            for fy in 0..<BitmapFont.glyphHeight {
                for fx in 0..<BitmapFont.glyphWidth where BitmapFont.isInk(ch, x: fx, y: fy) {
                    fill(x: gx + fx * scale, y: y + fy * scale, width: scale, height: scale, color: color)
                }
            }
        }
    }

    /// The canvas as an image.
    public var image: Image { Image(width: width, height: height, rgb: rgb) }
}

/// One cell of a `ContactSheet`: an image (or nothing) under some caption lines.
public struct SheetCell: Sendable {
    public var image: Image?
    public var caption: [String]
    /// Whether a cell without an image shows a grey placeholder (false: it stays white).
    public var placeholder: Bool

    public init(image: Image?, caption: [String], placeholder: Bool = true) {
        self.image = image; self.caption = caption; self.placeholder = placeholder
    }

    /// A white cell: no image, no caption, no placeholder.
    public static let blank = SheetCell(image: nil, caption: [], placeholder: false)
}

/// A grid of captioned tiles: every tile is `tileWidth` x `tileHeight` (images are scaled
/// to fit, keeping their aspect ratio, and centred), with `captionLines` lines of text
/// above it. Geometry, in pixels:
///
///     width  = gap + columns * (tileWidth + gap)
///     height = gap + rows * (captionHeight + tileHeight + gap)
///     captionHeight = captionLines * lineHeight + scale,  lineHeight = (7 + 3) * scale
public struct ContactSheet: Sendable {
    public let columns: Int
    public let rows: Int
    public let tileWidth: Int
    public let tileHeight: Int
    public let captionLines: Int
    /// Size of one font pixel in image pixels.
    public let scale: Int
    public let gap: Int

    public init(columns: Int, rows: Int, tileWidth: Int, tileHeight: Int, captionLines: Int, scale: Int, gap: Int = 6) {
        self.columns = columns; self.rows = rows; self.tileWidth = tileWidth; self.tileHeight = tileHeight
        self.captionLines = captionLines; self.scale = scale; self.gap = gap
    }

    public var lineHeight: Int { (BitmapFont.glyphHeight + 3) * scale }
    public var captionHeight: Int { captionLines * lineHeight + scale }
    public var width: Int { gap + columns * (tileWidth + gap) }
    public var height: Int { gap + rows * (captionHeight + tileHeight + gap) }

    /// Top-left corner of the caption of cell (row, column); the tile starts `captionHeight` below.
    public func origin(row: Int, column: Int) -> (x: Int, y: Int) {
        (gap + column * (tileWidth + gap), gap + row * (captionHeight + tileHeight + gap))
    }

    /// Top-left corner of the tile area of cell (row, column).
    public func tileOrigin(row: Int, column: Int) -> (x: Int, y: Int) {
        let o = origin(row: row, column: column)
        return (o.x, o.y + captionHeight)
    }

    /// Characters of a caption line that fit the tile width.
    public var charactersPerLine: Int { max(1, (tileWidth + scale) / (BitmapFont.advance * scale)) }

    /// Draws the cells (row by row; missing cells stay blank) on a white sheet.
    public func render(_ cells: [[SheetCell]]) -> Image {
        var canvas = blankCanvas()
        draw(cells, on: &canvas)
        return canvas.image
    }

    /// The white sheet `render` draws on, for a caller that allocates it ahead (its size
    /// is `width` x `height`).
    public func blankCanvas() -> Canvas { Canvas(width: width, height: height, background: (255, 255, 255)) }

    /// Draws the cells as `render` does on `canvas`, a `blankCanvas()` of this sheet.
    public func draw(_ cells: [[SheetCell]], on canvas: inout Canvas) {
        precondition(canvas.width == width && canvas.height == height, "the canvas is not this sheet's")
        for (r, row) in cells.enumerated() where r < rows {
            for (c, cell) in row.enumerated() where c < columns {
                let o = origin(row: r, column: c)
                for (l, line) in cell.caption.prefix(captionLines).enumerated() {
                    let text = line.count > charactersPerLine ? String(line.prefix(charactersPerLine - 1)) + "~" : line
                    canvas.draw(text: text, x: o.x, y: o.y + l * lineHeight + scale, scale: scale)
                }
                let t = tileOrigin(row: r, column: c)
                if cell.image != nil || cell.placeholder {
                    canvas.fill(x: t.x, y: t.y, width: tileWidth, height: tileHeight, color: (235, 235, 235))
                }
                if let image = cell.image {
                    let fitted = Self.fit(image, width: tileWidth, height: tileHeight)
                    canvas.paste(fitted, x: t.x + (tileWidth - fitted.width) / 2, y: t.y + (tileHeight - fitted.height) / 2)
                }
            }
        }
    }

    /// `image` scaled to the largest size within width x height with its aspect ratio.
    public static func fit(_ image: Image, width: Int, height: Int) -> Image {
        if image.width == width && image.height <= height || image.height == height && image.width <= width { return image }
        let s = min(Double(width) / Double(image.width), Double(height) / Double(image.height))
        let w = max(1, min(width, Int((Double(image.width) * s).rounded())))
        let h = max(1, min(height, Int((Double(image.height) * s).rounded())))
        return image.resized(width: w, height: h)
    }
}
