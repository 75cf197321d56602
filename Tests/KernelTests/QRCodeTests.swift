import Foundation
import Testing
@testable import Kernel

@Suite("QR Code (ISO/IEC 18004)")
struct QRCodeTests {
    /// The standard's worked example: "01234567" in numeric mode, version 1-M.
    @Test func theStandardsNumericExample() {
        let data = QRCode.codewords(Array("01234567".utf8), mode: .numeric, version: 1, errorCorrection: .medium)
        #expect(data == [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        let all = QRCode.interleaved(data, version: 1, .medium)
        #expect(Array(all.suffix(10)) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test func alphanumericHelloWorld() {
        let data = QRCode.codewords(Array("HELLO WORLD".utf8), mode: .alphanumeric, version: 1, errorCorrection: .medium)
        #expect(data == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17])
        #expect(ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10)) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test func formatAndVersionInformation() {
        #expect(QRCode.formatBits(.low, mask: 0) == 0b111011111000100)
        #expect(QRCode.formatBits(.medium, mask: 0) == 0b101010000010010)
        #expect(QRCode.formatBits(.high, mask: 7) == 0b000100000111011)
        #expect(QRCode.versionBits(7) == 0b000111110010010100)
        #expect(QRCode.versionBits(10) == 0b001010010011010011)
    }

    @Test func blocksAddUpToEachVersionsCapacity() {
        for version in 1...10 {
            let count = version / 7 + 2
            var modules = (16 * version + 128) * version + 64
            if version >= 2 { modules -= (25 * count - 10) * count - 55 }
            if version >= 7 { modules -= 36 }
            for level in QRCode.ErrorCorrection.allCases {
                let layout = QRCode.blocks[version - 1][level.rawValue]
                #expect(layout.data.reduce(0, +) + layout.ec * layout.data.count == modules / 8, "version \(version) \(level)")
            }
        }
        #expect(Matrix(version: 7).alignmentPositions == [6, 22, 38])
        #expect(Matrix(version: 10).alignmentPositions == [6, 28, 50])
    }

    @Test func picksTheSmallestVersionAndMode() throws {
        #expect(try QRCode("01234567").version == 1)
        #expect(QRCode.mode(for: Array("HTTP://A.KG/P/7KQ2M9XD".utf8)) == .alphanumeric)
        #expect(QRCode.mode(for: Array("https://ashar.kg/p/7kq2".utf8)) == .byte)
        let url = try QRCode("https://ashar.example.kg/p/7KQ2M9XD")
        #expect(url.size == url.version * 4 + 17)
        #expect(throws: QRCode.TooLong.self) { try QRCode(String(repeating: "x", count: 300)) }
    }

    /// Fixed patterns land where a reader looks for them, whatever the data.
    @Test func finderAndTimingPatterns() throws {
        let code = try QRCode("Ashar · ашар")
        let m = code.modules
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect(m[y][x] && m[y + 6][x + 6] && m[y + 3][x + 3] && !m[y + 1][x + 1])
        }
        #expect((8..<code.size - 8).allSatisfy { m[6][$0] == ($0 % 2 == 0) })
        #expect(m[code.size - 8][8], "the dark module")
    }

    /// A reader decodes what we encode, at every mask: zbarimg (Debian's zbar-tools) reads a PBM of the symbol.
    /// CI installs it; where it is missing outside CI the round trip is skipped.
    @Test(arguments: ["01234567", "HELLO WORLD", "https://ashar.example.kg/p/7KQ2M9XD", "Бал: 12 саат · ө ү ң", String(repeating: "0123456789", count: 20)])
    func zbarReadsWhatWeWrite(text: String) throws {
        let zbar = "/usr/bin/zbarimg"
        guard FileManager.default.isExecutableFile(atPath: zbar) else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install zbar-tools")
            return
        }
        for mask in [0, 3, 7] {
            let code = try QRCode(text, mask: mask)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pbm")
            defer { try? FileManager.default.removeItem(at: file) }
            try Self.pbm(code, scale: 4).write(to: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: zbar)
            process.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let decoded = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(decoded.trimmingCharacters(in: .newlines) == text, "mask \(mask), version \(code.version)")
        }
    }

    static func pbm(_ code: QRCode, scale: Int) -> Data {
        let side = (code.size + 8) * scale
        var text = "P1\n\(side) \(side)\n"
        for y in 0..<side {
            let row = (0..<side).map { x -> String in
                let (mx, my) = (x / scale - 4, y / scale - 4)
                let dark = (0..<code.size).contains(mx) && (0..<code.size).contains(my) && code.modules[my][mx]
                return dark ? "1" : "0"
            }
            text += row.joined(separator: " ") + "\n"
        }
        return Data(text.utf8)
    }
}
