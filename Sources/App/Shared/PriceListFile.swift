import Producers

/// A supplier's price list as people keep it in a spreadsheet: one article a line.
enum PriceListFile {
    static let columns: [CSV.Column<PriceListRow>] = [
        ("name", ["название", "товар", "аталышы"], \.name),
        ("unit", ["ед.", "единица", "бирдик"], \.unit),
        ("package_size", ["фасовка", "упаковка", "таңгак"], \.packageSize),
        ("tiers", ["цены", "баалар"], \.tiers),
        ("valid_from", ["с", "действует с", "башталышы"], \.validFrom),
        ("valid_to", ["по", "действует по", "аягы"], \.validTo),
    ]

    static func rows(_ text: String) throws -> [PriceListRow] {
        try CSV.rows(text, columns: columns, required: ["name", "unit", "package_size", "tiers"]) { PriceListRow(line: $0) }
    }
}
