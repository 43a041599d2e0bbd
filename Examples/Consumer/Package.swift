// swift-tools-version:5.9
// A package that depends on stylize by version, as any other package would: CI tags a
// temporary clone of the repository and points STYLIZE_PACKAGE_URL at it (see
// Scripts/check-consumer.sh). Without the variable it names the public repository.
import Foundation
import PackageDescription

let stylizeURL = ProcessInfo.processInfo.environment["STYLIZE_PACKAGE_URL"] ?? "https://github.com/stylize-project/stylize"

let package = Package(
    name: "StylizeConsumer",
    dependencies: [
        .package(url: stylizeURL, from: "1.0.0"),
    ],
    targets: [
        .executableTarget(name: "StylizeConsumer", dependencies: [
            .product(name: "StylizeKit", package: "stylize"),
        ]),
    ]
)
