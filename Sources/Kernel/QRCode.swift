/// A QR Code symbol (model 2), encoded as ISO/IEC 18004 describes: numeric, alphanumeric or byte mode,
/// Reed–Solomon error correction over GF(256), the eight data masks with the standard's penalty
/// rules, format and version information. Versions 1 to 10 cover what Ashar prints (a product page's
/// address fits in version 4); asking for more than version 10 holds is refused.
public struct QRCode: Sendable, Equatable {
    public enum ErrorCorrection: Int, Sendable, CaseIterable {
        case low, medium, quartile, high

        /// The two bits the format information carries for the level (Table 12).
        var formatBits: Int { [1, 0, 3, 2][rawValue] }
    }

    public enum Mode: Sendable, Equatable {
        case numeric, alphanumeric, byte

        var indicator: Int {
            switch self {
            case .numeric: 0b0001
            case .alphanumeric: 0b0010
            case .byte: 0b0100
            }
        }

        /// Bits of the character count indicator, versions 1–9 and 10–26 (Table 3).
        func countBits(version: Int) -> Int {
            switch self {
            case .numeric: version < 10 ? 10 : 12
            case .alphanumeric: version < 10 ? 9 : 11
            case .byte: version < 10 ? 8 : 16
            }
        }
    }

    public struct TooLong: Error, Sendable {}

    public let version: Int
    public let errorCorrection: ErrorCorrection
    public let mask: Int
    /// Rows of modules, top to bottom; `true` is dark.
    public let modules: [[Bool]]

    public var size: Int { modules.count }

    /// Encodes text in the most compact of the three modes that can hold it, at the smallest version that fits.
    public init(_ text: String, errorCorrection: ErrorCorrection = .medium, mask forcedMask: Int? = nil) throws {
        let bytes = Array(text.utf8)
        let mode = QRCode.mode(for: bytes)
        guard let version = (1...10).first(where: { QRCode.dataBits(bytes.count, mode: mode, version: $0) <= QRCode.dataCodewords(version: $0, errorCorrection) * 8 })
        else { throw TooLong() }
        let codewords = QRCode.codewords(bytes, mode: mode, version: version, errorCorrection: errorCorrection)
        var symbol = Matrix(version: version)
        symbol.drawFunctionPatterns()
        symbol.drawCodewords(QRCode.interleaved(codewords, version: version, errorCorrection))
        let penalties = forcedMask == nil ? (0..<8).map { symbol.masked($0, errorCorrection).penalty } : []
        let mask = forcedMask ?? penalties.indices.min { penalties[$0] < penalties[$1] }!
        self.version = version
        self.errorCorrection = errorCorrection
        self.mask = mask
        modules = symbol.masked(mask, errorCorrection).dark
    }

    // MARK: - Data

    static let alphanumericSet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    static func mode(for bytes: [UInt8]) -> Mode {
        if bytes.allSatisfy({ (0x30...0x39).contains($0) }) { return .numeric }
        if bytes.allSatisfy({ alphanumericSet.contains($0) }) { return .alphanumeric }
        return .byte
    }

    static func dataBits(_ count: Int, mode: Mode, version: Int) -> Int {
        let payload = switch mode {
        case .numeric: count / 3 * 10 + [0, 4, 7][count % 3]
        case .alphanumeric: count / 2 * 11 + count % 2 * 6
        case .byte: count * 8
        }
        return 4 + mode.countBits(version: version) + payload
    }

    /// The data codewords: mode, count, data, terminator, then the pad codewords 0xEC 0x11 (§7.4).
    static func codewords(_ bytes: [UInt8], mode: Mode, version: Int, errorCorrection: ErrorCorrection) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(mode.indicator, 4)
        bits.append(bytes.count, mode.countBits(version: version))
        switch mode {
        case .numeric:
            let digits = bytes.map { Int($0) - 0x30 }
            for start in stride(from: 0, to: digits.count, by: 3) {
                let group = digits[start..<min(start + 3, digits.count)]
                bits.append(group.reduce(0) { $0 * 10 + $1 }, [0, 4, 7, 10][group.count])
            }
        case .alphanumeric:
            let values = bytes.map { alphanumericSet.firstIndex(of: $0)! }
            for start in stride(from: 0, to: values.count, by: 2) {
                if start + 1 < values.count {
                    bits.append(values[start] * 45 + values[start + 1], 11)
                } else {
                    bits.append(values[start], 6)
                }
            }
        case .byte:
            for byte in bytes { bits.append(Int(byte), 8) }
        }
        let capacity = dataCodewords(version: version, errorCorrection) * 8
        bits.append(0, min(4, capacity - bits.count))
        bits.append(0, (8 - bits.count % 8) % 8)
        var result = bits.bytes
        var pad: UInt8 = 0xEC
        while result.count < capacity / 8 {
            result.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return result
    }

    // MARK: - Error correction

    /// Error correction codewords per block, and the data codewords of each block (Table 9, versions 1–10).
    static let blocks: [[(ec: Int, data: [Int])]] = [
        [(7, [19]), (10, [16]), (13, [13]), (17, [9])],
        [(10, [34]), (16, [28]), (22, [22]), (28, [16])],
        [(15, [55]), (26, [44]), (18, [17, 17]), (22, [13, 13])],
        [(20, [80]), (18, [32, 32]), (26, [24, 24]), (16, [9, 9, 9, 9])],
        [(26, [108]), (24, [43, 43]), (18, [15, 15, 16, 16]), (22, [11, 11, 12, 12])],
        [(18, [68, 68]), (16, [27, 27, 27, 27]), (24, [19, 19, 19, 19]), (28, [15, 15, 15, 15])],
        [(20, [78, 78]), (18, [31, 31, 31, 31]), (18, [14, 14, 15, 15, 15, 15]), (26, [13, 13, 13, 13, 14])],
        [(24, [97, 97]), (22, [38, 38, 39, 39]), (22, [18, 18, 18, 18, 19, 19]), (26, [14, 14, 14, 14, 15, 15])],
        [(30, [116, 116]), (22, [36, 36, 36, 37, 37]), (20, [16, 16, 16, 16, 17, 17, 17, 17]), (24, [12, 12, 12, 12, 13, 13, 13, 13])],
        [(18, [68, 68, 69, 69]), (26, [43, 43, 43, 43, 44]), (24, [19, 19, 19, 19, 19, 19, 20, 20]), (28, [15, 15, 15, 15, 15, 15, 16, 16])],
    ]

    static func dataCodewords(version: Int, _ level: ErrorCorrection) -> Int {
        blocks[version - 1][level.rawValue].data.reduce(0, +)
    }

    /// Splits the data into its blocks, adds each block's error correction, and interleaves them (§7.6).
    static func interleaved(_ data: [UInt8], version: Int, _ level: ErrorCorrection) -> [UInt8] {
        let layout = blocks[version - 1][level.rawValue]
        let divisor = ReedSolomon.divisor(degree: layout.ec)
        var start = 0
        var dataBlocks: [[UInt8]] = []
        for length in layout.data {
            dataBlocks.append(Array(data[start..<start + length]))
            start += length
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, divisor: divisor) }
        var result: [UInt8] = []
        for i in 0..<(layout.data.max() ?? 0) {
            for block in dataBlocks where i < block.count { result.append(block[i]) }
        }
        for i in 0..<layout.ec {
            for block in ecBlocks { result.append(block[i]) }
        }
        return result
    }

    /// The 15 bits of format information for a level and mask: BCH(15,5), masked with 101010000010010 (§7.9).
    static func formatBits(_ level: ErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18 bits of version information: BCH(18,6) (§7.10, versions 7 and up).
    static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    // MARK: - Drawing

    /// An SVG drawing of the symbol with its four-module quiet zone; dark modules as one path.
    public func svg(moduleSize: Int = 4) -> String {
        let side = (size + 8) * moduleSize
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                path += "M\(x + 4),\(y + 4)h1v1h-1z"
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" width=\"\(side)\" height=\"\(side)\" viewBox=\"0 0 \(size + 8) \(size + 8)\" "
            + "shape-rendering=\"crispEdges\" aria-hidden=\"true\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
            + "<path fill=\"#000\" d=\"\(path)\"/></svg>"
    }
}

/// Bits appended most significant first, read back as bytes.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, _ length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<min(start + 8, bits.count)].enumerated().reduce(UInt8(0)) { $0 | ($1.element ? 0x80 >> UInt8($1.offset) : 0) }
        }
    }
}

/// Reed–Solomon error correction over GF(2⁸) with the field's polynomial x⁸+x⁴+x³+x²+1 (0x11D).
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> UInt8(i)) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// The generator polynomial (x − α⁰)(x − α¹)…(x − αⁿ⁻¹), highest coefficient (1) left out.
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree - 1) + [1]
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in result.indices {
                result[j] = multiply(result[j], root)
                if j + 1 < result.count { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 2)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}

/// The symbol being built: its modules and which of them are function patterns (never masked).
struct Matrix {
    let version: Int
    let size: Int
    var dark: [[Bool]]
    var isFunction: [[Bool]]

    init(version: Int) {
        self.version = version
        size = version * 4 + 17
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = dark
    }

    mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
        dark[y][x] = value
        isFunction[y][x] = true
    }

    /// Centres of the alignment patterns along each axis (Annex E).
    var alignmentPositions: [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        return [6] + (0..<count - 1).map { size - 7 - $0 * step }.reversed()
    }

    mutating func drawFunctionPatterns() {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                    let distance = max(abs(dx), abs(dy))
                    set(cx + dx, cy + dy, distance != 2 && distance != 4)
                }
            }
        }
        let positions = alignmentPositions
        for (i, cx) in positions.enumerated() {
            for (j, cy) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormat(0)  // reserves the modules; the real bits come with the mask
        if version >= 7 {
            let bits = QRCode.versionBits(version)
            for i in 0..<18 {
                let bit = (bits >> i) & 1 == 1
                set(size - 11 + i % 3, i / 3, bit)
                set(i / 3, size - 11 + i % 3, bit)
            }
        }
    }

    mutating func drawFormat(_ bits: Int) {
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)  // the dark module
    }

    /// Places the codewords in two-module columns, right to left, zigzagging up and down (§7.7.3).
    mutating func drawCodewords(_ codewords: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x] && i < codewords.count * 8 {
                        dark[y][x] = (codewords[i >> 3] >> UInt8(7 - i & 7)) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    /// The data masks of Table 10, with j the column and i the row.
    static func maskCondition(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (x / 3 + y / 2) % 2 == 0
        case 5: x * y % 2 + x * y % 3 == 0
        case 6: (x * y % 2 + x * y % 3) % 2 == 0
        default: ((x + y) % 2 + x * y % 3) % 2 == 0
        }
    }

    func masked(_ mask: Int, _ level: QRCode.ErrorCorrection) -> Matrix {
        var result = self
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] && Self.maskCondition(mask, x: x, y: y) { result.dark[y][x].toggle() }
        }
        result.drawFormat(QRCode.formatBits(level, mask: mask))
        return result
    }

    /// The penalty of §7.8.3: runs of five or more, 2×2 blocks, finder-like patterns, and imbalance of dark and light.
    var penalty: Int {
        var score = 0
        let columns = (0..<size).map { x in dark.map { $0[x] } }
        for line in dark + columns {
            var run = 1
            for k in 1..<size {
                if line[k] == line[k - 1] {
                    run += 1
                } else {
                    if run >= 5 { score += run - 2 }
                    run = 1
                }
            }
            if run >= 5 { score += run - 2 }
            // 1:1:3:1:1 with four light modules on one side; outside the symbol counts as light.
            let padded = Array(repeating: false, count: 4) + line + Array(repeating: false, count: 4)
            for k in 0...(padded.count - 11) {
                let window = Array(padded[k..<k + 11])
                if window == Self.finderBefore || window == Self.finderAfter { score += 40 }
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 where dark[y][x] == dark[y][x + 1] && dark[y][x] == dark[y + 1][x] && dark[y][x] == dark[y + 1][x + 1] {
                score += 3
            }
        }
        let total = size * size
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        score += (abs(darkCount * 20 - total * 10) + total - 1) / total * 10 - 10
        return score
    }

    static let finderBefore = [false, false, false, false, true, false, true, true, true, false, true]
    static let finderAfter = [true, false, true, true, true, false, true, false, false, false, false]
}
