import XCTest
@testable import ImageCodecs

/// An image made of `cellSize` x `cellSize` solid cells, colours given row by row.
func cellImage(_ colors: [[[UInt8]]], cellSize: Int) -> Image {
    let rows = colors.count, cols = colors[0].count
    let width = cols * cellSize, height = rows * cellSize
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let c = colors[y / cellSize][x / cellSize]
            rgb.replaceSubrange(((y * width + x) * 3)..<((y * width + x) * 3 + 3), with: c)
        }
    }
    return Image(width: width, height: height, rgb: rgb)
}

/// The RGB of pixel (x, y).
func pixel(_ image: Image, _ x: Int, _ y: Int) -> [UInt8] {
    let i = (y * image.width + x) * 3
    return Array(image.rgb[i..<(i + 3)])
}

/// Largest absolute difference between two equally long byte arrays.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    precondition(a.count == b.count)
    return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

/// Asserts that `body` throws a `CodecError`, optionally of `kind`, and returns it.
@discardableResult
func assertCodecError(_ kind: CodecError.Kind? = nil, _ message: String = "", file: StaticString = #filePath,
                      line: UInt = #line, _ body: () throws -> Void) -> CodecError? {
    do {
        try body()
        XCTFail("expected a CodecError \(message)", file: file, line: line)
        return nil
    } catch let error as CodecError {
        if let kind { XCTAssertEqual(error.kind, kind, "\(message): \(error)", file: file, line: line) }
        return error
    } catch {
        XCTFail("expected a CodecError, got \(error) \(message)", file: file, line: line)
        return nil
    }
}
