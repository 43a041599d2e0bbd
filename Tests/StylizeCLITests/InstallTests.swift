import Foundation
import ImageCodecs
import XCTest
import StylizeTestSupport

/// `Scripts/install.sh` into a temporary prefix with the built binary, then the installed
/// tool used as a user would: by name through PATH, from another folder, with an empty HOME
/// and no network; its man page rendered by `man`, its bash completion run; then uninstalled.
///
/// The first run builds swift-argument-parser's generate-manual tool (about a minute on two
/// cores) into .build/stylize-install-tools; later runs reuse it.
final class InstallTests: XCTestCase {
    func install(_ arguments: [String]) throws -> ProcessRun {
        try runProgram("/bin/bash", [packageRoot + "/Scripts/install.sh"] + arguments, in: packageRoot)
    }

    func testInstallIntoAPrefixThenUseManCompletionAndUninstall() throws {
        let root = try makeTemporaryFolder(self)
        let prefix = root + "/prefix"
        let installed = try install(["--prefix", prefix, "--binary", try stylizeBinary().path])
        XCTAssertEqual(installed.status, 0, installed.stderr + installed.stdout)

        let files = regularFiles(under: prefix)
        let expected = ["bin/stylize", "share/bash-completion/completions/stylize", "share/fish/vendor_completions.d/stylize.fish",
                        "share/man/man1/stylize.1", "share/stylize/DEFAULT_MODEL.md", "share/stylize/LICENSE-Apache-2.0.txt",
                        "share/stylize/MAGENTA.md", "share/stylize/MAGENTA_NOTICE.txt", "share/stylize/MANIFEST.json",
                        "share/stylize/Training/magenta/convert_magenta.py", "share/stylize/default.safetensors",
                        "share/stylize/installed-files.txt", "share/stylize/magenta-arbitrary.safetensors",
                        "share/stylize/magenta-multistyle26.safetensors", "share/zsh/site-functions/_stylize"]
        XCTAssertEqual(files, expected)
        for name in ["default.safetensors", "magenta-arbitrary.safetensors", "magenta-multistyle26.safetensors", "MAGENTA_NOTICE.txt"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: prefix + "/share/stylize/" + name)),
                           try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Weights/" + name)), name)
        }

        // The installed tool, started by name from an unrelated folder.
        let work = root + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var env = try freshCloneEnvironment(root)
        env.set["PATH"] = prefix + "/bin:/usr/bin:/bin"
        env.set["MANPATH"] = prefix + "/share/man"
        func shell(_ command: String) throws -> ProcessRun {
            try runShell(command, in: work, environment: env.set, unsetting: env.unset)
        }
        let info = try shell("stylize info --json")
        XCTAssertEqual(info.status, 0, info.stderr)
        let weights = try XCTUnwrap((try JSONSerialization.jsonObject(with: info.output) as? [String: Any])?["weights"] as? [String: [String: Any]])
        for (key, file) in ["adain": "default.safetensors", "magenta_arbitrary": "magenta-arbitrary.safetensors",
                            "magenta_multistyle": "magenta-multistyle26.safetensors"] {
            XCTAssertEqual(weights[key]?["path"] as? String, prefix + "/share/stylize/" + file, "\(key) from the install")
            XCTAssertEqual(weights[key]?["source"] as? String, "install prefix (share/stylize beside bin/)")
        }
        let photo = packageRoot + "/Images/chelsea.jpg", style = packageRoot + "/Images/autumn.jpg"
        for command in ["stylize \(photo) \(style) -o a.png --content-size 48",
                        "stylize \(photo) \(style) --model magenta -o m.png --content-size 48",
                        "stylize \(photo) --preset 19 -o p.png --content-size 48",
                        "stylize presets \(photo) -o sheet.jpg --size 32",
                        "cat \(photo) | stylize - \(style) -o - --content-size 48 > piped.png"] {
            let r = try shell(command)
            XCTAssertEqual(r.status, 0, command + ": " + r.stderr)
        }
        for output in ["a.png", "m.png", "p.png", "piped.png"] {
            XCTAssertEqual(try ImageIO.decode(file: work + "/" + output).height, 48, output)
        }

        // The man page: mdoc from swift-argument-parser, rendered by man (nroff when man is absent).
        let page = try String(contentsOfFile: prefix + "/share/man/man1/stylize.1", encoding: .utf8)
        XCTAssertTrue(page.contains(".Dt STYLIZE 1"), String(page.prefix(300)))
        let render = FileManager.default.isExecutableFile(atPath: "/usr/bin/man")
            ? "MANPAGER=cat MANWIDTH=100 man stylize" : "nroff -mandoc -Tutf8 \(prefix)/share/man/man1/stylize.1"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/bin/man") || FileManager.default.isExecutableFile(atPath: "/usr/bin/nroff"),
                      "man (man-db) or nroff is needed to check the page; .ci/run installs man-db")
        let man = try shell(render)
        XCTAssertEqual(man.status, 0, man.stderr)
        let text = man.stdout.replacingOccurrences(of: "\u{2010}", with: "-").replacingOccurrences(of: "\u{2212}", with: "-")
        for needle in ["STYLIZE(1)", "Repaint a photo", "presets", "gallery", "info", "--preset", "--max-memory", "--format"] {
            XCTAssertTrue(text.contains(needle), "'\(needle)' in the rendered page:\n\(text.prefix(2000))")
        }

        // Bash completion: subcommands and options.
        let completion = prefix + "/share/bash-completion/completions/stylize"
        for (line, wanted) in [("stylize pre", "presets"), ("stylize presets --col", "--columns"), ("stylize info --js", "--json"),
                               ("stylize presets photo.jpg --format ", "jpeg")] {
            let script = """
                source '\(completion)'
                COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
                read -ra COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" == *' ' ]] && COMP_WORDS+=('')
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                _stylize stylize "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let r = try shell(script)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.split(separator: "\n").contains(Substring(wanted)), "\(line) -> \(r.stdout)")
        }
        XCTAssertTrue(try String(contentsOfFile: prefix + "/share/zsh/site-functions/_stylize", encoding: .utf8).hasPrefix("#compdef stylize"))
        let fish = try String(contentsOfFile: prefix + "/share/fish/vendor_completions.d/stylize.fish", encoding: .utf8)
        XCTAssertTrue(fish.contains("complete -c 'stylize'") && fish.contains("-fa 'presets'"), String(fish.prefix(500)))

        // Uninstall removes every file it installed, and stylize's own folders; nothing else.
        try "keep".write(toFile: prefix + "/bin/other-tool", atomically: true, encoding: .utf8)
        let removed = try install(["--prefix", prefix, "--uninstall"])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertEqual(regularFiles(under: prefix), ["bin/other-tool"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: prefix + "/share/stylize"))
        let again = try install(["--prefix", prefix, "--uninstall"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("nothing to uninstall"), again.stderr)
    }
}
