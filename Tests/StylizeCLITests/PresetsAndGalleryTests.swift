import Foundation
import ImageCodecs
import XCTest
@testable import StylizeEngine
import StyleSheets
import StylizeTestSupport

/// `stylize presets` and `stylize gallery` through the built binary with the shipped weights,
/// an empty HOME and a working directory outside the package: the grids have the documented
/// geometry and every cell is exactly the image a single transfer makes.
final class PresetsAndGalleryTests: XCTestCase {
    var root = ""
    var env: (set: [String: String], unset: [String]) = ([:], [])

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        env = try freshCloneEnvironment(root)
    }

    func run(_ arguments: [String]) throws -> ProcessRun {
        try runStylize(arguments, in: root, environment: env.set, unsetting: env.unset)
    }

    /// The pixels of `width` x `height` at (x, y) of `image`.
    func crop(_ image: Image, x: Int, y: Int, width: Int, height: Int) -> [UInt8] {
        var out: [UInt8] = []
        for r in 0..<height {
            let start: Int = ((y + r) * image.width + x) * 3
            out += image.rgb[start..<(start + width * 3)]
        }
        return out
    }

    /// True when the rectangle holds at least one non-white pixel (caption ink).
    func hasInk(_ image: Image, x: Int, y: Int, width: Int, height: Int) -> Bool {
        crop(image, x: x, y: y, width: width, height: height).contains { $0 < 128 }
    }

    func testPresetSheetShowsThePhotoAndEveryPresetCaptionedAsTheTransferRendersThem() throws {
        // The photo at the display size (72 px on its longer side), as the sheet shrinks it.
        let small = PresetSheet.displaySize(try ImageIO.decode(file: packageRoot + "/Images/chelsea.jpg"), longerSide: 72)
        XCTAssertEqual([small.width, small.height], [72, 48])
        try ImageIO.write(small, to: root + "/small.png")

        let r = try run(["presets", packageRoot + "/Images/chelsea.jpg", "-o", "sheet.png", "--size", "72", "--columns", "9"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let layout = ContactSheet(columns: 9, rows: 3, tileWidth: 72, tileHeight: 48, captionLines: 1, scale: 1)
        XCTAssertTrue(r.stdout.contains("wrote sheet.png (\(layout.width)x\(layout.height)): 26 presets at 72x48"), r.stdout)
        let sheet = try ImageIO.decode(file: root + "/sheet.png")
        XCTAssertEqual([sheet.width, sheet.height], [layout.width, layout.height])

        var tiles: [[UInt8]] = []
        for cell in 0..<27 {
            let o = layout.tileOrigin(row: cell / 9, column: cell % 9)
            tiles.append(crop(sheet, x: o.x, y: o.y, width: 72, height: 48))
            let c = layout.origin(row: cell / 9, column: cell % 9)
            XCTAssertTrue(hasInk(sheet, x: c.x, y: c.y, width: 72, height: layout.captionHeight), "cell \(cell) has a caption")
        }
        XCTAssertEqual(tiles[0], small.rgb, "the first cell is the photo")
        XCTAssertEqual(Set(tiles).count, 27, "26 different presets")
        for preset in [0, 19, 25] {
            let one = try run([root + "/small.png", "--preset", String(preset), "--content-size", "0", "-o", "p\(preset).png"])
            XCTAssertEqual(one.status, 0, one.stderr)
            XCTAssertEqual(tiles[preset + 1], try ImageIO.decode(file: root + "/p\(preset).png").rgb, "preset \(preset)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/home"), [], "nothing was written to HOME")
    }

    func testPresetSheetRefusesToOverwriteItsPhotoAndBadSettings() throws {
        let photo = root + "/photo.png"
        try ImageIO.write(PresetSheet.displaySize(try ImageIO.decode(file: packageRoot + "/Images/coffee.jpg"), longerSide: 40), to: photo)
        let before = try Data(contentsOf: URL(fileURLWithPath: photo))
        let same = try run(["presets", photo, "-o", photo, "--size", "40"])
        XCTAssertEqual(same.status, 1)
        XCTAssertTrue(same.stderr.contains("refusing to overwrite the input file"), same.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: photo)), before)
        let tiny = try run(["presets", photo, "-o", "s.png", "--size", "4"])
        XCTAssertNotEqual(tiny.status, 0)
        XCTAssertTrue(tiny.stderr.contains("--size must be at least 16"), tiny.stderr)
        let missing = try run(["presets", root + "/nope.jpg", "-o", "s.png"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains(root + "/nope.jpg"), missing.stderr)
    }

    func testGalleryCellsAreTheTransfersOfEachFamilyUnderTheirStyle() throws {
        // Photos already at the cell size (no resizing anywhere), so cells compare exactly.
        let photos = try ["astronaut", "coffee"].map { name -> String in
            let path = root + "/\(name).png"
            try ImageIO.write(PresetSheet.displaySize(try ImageIO.decode(file: packageRoot + "/Images/\(name).jpg"), longerSide: 48), to: path)
            return path
        }
        let style = packageRoot + "/Images/flow.jpg"
        let r = try run(["gallery"] + photos + ["--style", style, "-o", "gallery.png", "--size", "48", "--content-size", "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("2 photos x 1 styles x 2 models"), r.stdout)
        let grid = try ImageIO.decode(file: root + "/gallery.png")

        // Rows: the style (48x27), astronaut (48x48), coffee (48x32); each row a one-row sheet.
        let heights = [27, 48, 32]
        let rows = heights.map { ContactSheet(columns: 3, rows: 1, tileWidth: 48, tileHeight: $0, captionLines: 1, scale: 1) }
        XCTAssertEqual(grid.width, rows[0].width)
        XCTAssertEqual(grid.height, rows.map(\.height).reduce(0, +) - 2 * rows[0].gap)
        let styleImage = PresetSheet.displaySize(try ImageIO.decode(file: style), longerSide: 48)
        let styleOrigin = rows[0].tileOrigin(row: 0, column: 1)
        XCTAssertEqual(crop(grid, x: styleOrigin.x, y: styleOrigin.y, width: 48, height: 27), styleImage.rgb, "the style heads its first column")

        var top = rows[0].height - rows[0].gap
        for (k, photo) in photos.enumerated() {
            let sheet = rows[k + 1]
            let image = try ImageIO.decode(file: photo)
            for (column, model) in [(1, "adain"), (2, "magenta")] {
                let one = try run([photo, style, "--model", model, "--content-size", "0", "-o", "one.png"])
                XCTAssertEqual(one.status, 0, one.stderr)
                let o = sheet.tileOrigin(row: 0, column: column)
                let y = top + o.y + (sheet.tileHeight - image.height) / 2
                XCTAssertEqual(crop(grid, x: o.x, y: y, width: image.width, height: image.height),
                               try ImageIO.decode(file: root + "/one.png").rgb, "\(photo) with \(model)")
                XCTAssertTrue(hasInk(grid, x: o.x, y: top + sheet.gap, width: 48, height: sheet.captionHeight), "captioned")
            }
            top += sheet.height - sheet.gap
        }
    }
}
