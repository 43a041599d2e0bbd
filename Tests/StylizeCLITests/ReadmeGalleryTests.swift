import Foundation
import ImageCodecs
import XCTest
import StyleSheets
import StylizeTestSupport

/// The README's opening gallery.
final class ReadmeGalleryTests: XCTestCase {
    /// The README's gallery: made by the documented command from the four sample photos and
    /// two sample styles with both families (4 rows under a row of styles, 5 columns of
    /// 256-pixel cells), and small.
    func testTheCommittedGalleryHasTheDocumentedLayoutAndIsSmall() throws {
        let path = packageRoot + "/docs/gallery.jpg"
        let bytes = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertLessThan(bytes, 500_000, "docs/gallery.jpg stays a few hundred KB")
        let image = try ImageIO.decode(file: path)
        XCTAssertEqual(image.width, ContactSheet(columns: 5, rows: 1, tileWidth: 256, tileHeight: 1, captionLines: 1, scale: 2).width)
        let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
        XCTAssertTrue(readme.contains("](docs/gallery.jpg)"), "the README shows it")
        XCTAssertTrue(readme.contains("stylize gallery Images/astronaut.jpg Images/chelsea.jpg Images/coffee.jpg Images/evening_glow.jpg"),
                      "the README gives the command that made it")
    }
}
