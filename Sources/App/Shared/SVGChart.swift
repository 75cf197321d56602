import Foundation

/// Bar charts drawn on the server as SVG: no script, nothing fetched, prints as it shows. Bars run
/// across the page, one per row, so long labels (villages, categories) stay readable on a phone.
enum SVGChart {
    struct Bar {
        let label: String
        let value: Int
        /// The value as people read it: "12 hours", "7 members".
        let caption: String
    }

    static func horizontal(_ bars: [Bar], title: String) -> String {
        let rowHeight = 26, labelWidth = 190, barSpace = 250, width = 600
        let height = max(1, bars.count) * rowHeight + 8
        let largest = max(1, bars.map { abs($0.value) }.max() ?? 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(HTMLText.escape(title))">\
            <title>\(HTMLText.escape(title))</title>
            """
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * rowHeight
            let length = bar.value == 0 ? 0 : max(2, abs(bar.value) * barSpace / largest)
            svg += """
                <text x="\(labelWidth - 8)" y="\(y + 17)" text-anchor="end" class="chart-label">\(HTMLText.escape(clip(bar.label)))</text>\
                <rect x="\(labelWidth)" y="\(y + 4)" width="\(length)" height="\(rowHeight - 8)" class="chart-bar\(bar.value < 0 ? " negative" : "")"/>\
                <text x="\(labelWidth + length + 6)" y="\(y + 17)" class="chart-value">\(HTMLText.escape(bar.caption))</text>

                """
        }
        return svg + "</svg>"
    }

    /// Long labels are cut so they do not run into the bars.
    static func clip(_ label: String) -> String {
        label.count > 23 ? String(label.prefix(22)) + "…" : label
    }
}

/// One report, as chart and as table: the page draws `bars`, the CSV writes `rows`.
struct ChartReport {
    let id: String
    let title: String
    let bars: [SVGChart.Bar]
    let rows: [[String]]
}

/// A report as a page shows it: the chart inline, a link to its CSV beside it.
struct ChartReportView: Encodable {
    let id: String
    let title: String
    let svg: String
    let csv: String

    init(_ report: ChartReport, csv: String) {
        id = report.id
        title = report.title
        svg = SVGChart.horizontal(report.bars, title: report.title)
        self.csv = csv
    }
}

/// The power–interest grid: each stakeholder a numbered dot at (interest, influence) on a 1–5 scale,
/// the four quadrants named; the table under it says who each number is (names would overlap).
extension SVGChart {
    struct Point {
        let label: String
        let x: Int
        let y: Int
    }

    /// `quadrants`: top left, top right, bottom left, bottom right.
    static func grid(_ points: [Point], title: String, xLabel: String, yLabel: String, quadrants: [String]) -> String {
        let size = 360, margin = 40, cell = (size - 2 * margin) / 5
        func px(_ v: Int) -> Int { margin + (v - 1) * cell + cell / 2 }
        func py(_ v: Int) -> Int { size - margin - (v - 1) * cell - cell / 2 }
        let middle = margin + cell * 3
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart grid" viewBox="0 0 \(size) \(size)" role="img" aria-label="\(HTMLText.escape(title))">\
            <title>\(HTMLText.escape(title))</title>\
            <rect x="\(margin)" y="\(margin)" width="\(size - 2 * margin)" height="\(size - 2 * margin)" class="grid-frame"/>\
            <line x1="\(middle)" y1="\(margin)" x2="\(middle)" y2="\(size - margin)" class="grid-line"/>\
            <line x1="\(margin)" y1="\(size - middle)" x2="\(size - margin)" y2="\(size - middle)" class="grid-line"/>\
            <text x="\(size / 2)" y="\(size - 4)" text-anchor="middle" class="chart-label">\(HTMLText.escape(xLabel)) →</text>\
            <text x="12" y="\(size / 2)" text-anchor="middle" transform="rotate(-90 12 \(size / 2))" class="chart-label">\(HTMLText.escape(yLabel)) →</text>
            """
        // The quadrants' names sit outside the frame, above and below it, clear of the dots.
        let corners = [(margin, margin - 6, "start"), (size - margin, margin - 6, "end"),
                       (margin, size - margin + 13, "start"), (size - margin, size - margin + 13, "end")]
        for (index, corner) in corners.enumerated() where index < quadrants.count {
            svg += #"<text x="\#(corner.0)" y="\#(corner.1)" text-anchor="\#(corner.2)" class="grid-quadrant">\#(HTMLText.escape(quadrants[index]))</text>"#
        }
        // Several stakeholders in one cell sit side by side.
        var seen: [String: Int] = [:]
        for point in points {
            let key = "\(point.x),\(point.y)"
            let n = seen[key, default: 0]
            seen[key] = n + 1
            let x = px(point.x) + (n % 3 - 1) * 16, y = py(point.y) + (n / 3 % 3 - 1) * 16
            svg += #"<circle cx="\#(x)" cy="\#(y)" r="8" class="chart-bar"/><text x="\#(x)" y="\#(y + 4)" text-anchor="middle" class="grid-dot">\#(HTMLText.escape(point.label))</text>"#
        }
        return svg + "</svg>"
    }
}

/// A cross-tab as a heat map: one row per answer, one column per district (or other category), each
/// cell shaded by its share of the column, so the needs that stand out in one place show at a glance.
extension SVGChart {
    struct HeatCell {
        let percent: Double
        let caption: String
        let small: Bool
    }

    static func heatMap(rows: [String], columns: [String], cells: [[HeatCell]], title: String) -> String {
        let labelWidth = 190, cellWidth = 58, rowHeight = 26, header = 110
        let width = labelWidth + max(1, columns.count) * cellWidth + 4
        let height = header + max(1, rows.count) * rowHeight + 4
        let largest = max(1, cells.joined().map(\.percent).max() ?? 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart heat" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(HTMLText.escape(title))">\
            <title>\(HTMLText.escape(title))</title>
            """
        for (c, column) in columns.enumerated() {
            let x = labelWidth + c * cellWidth + cellWidth / 2
            svg += #"<text x="\#(x)" y="\#(header - 6)" transform="rotate(-45 \#(x) \#(header - 6))" class="chart-label">\#(HTMLText.escape(clip(column)))</text>"#
        }
        for (r, label) in rows.enumerated() {
            let y = header + r * rowHeight
            svg += #"<text x="\#(labelWidth - 8)" y="\#(y + 17)" text-anchor="end" class="chart-label">\#(HTMLText.escape(clip(label)))</text>"#
            for (c, cell) in cells[r].enumerated() {
                let x = labelWidth + c * cellWidth
                // Five steps of shade up to the table's largest share: fine enough to compare, coarse
                // enough to print in grey.
                let step = cell.percent <= 0 ? 0 : min(4, 1 + Int(cell.percent / largest * 4))
                svg += #"<rect x="\#(x + 1)" y="\#(y + 1)" width="\#(cellWidth - 2)" height="\#(rowHeight - 2)" class="heat-\#(step)"/>"#
                svg += #"<text x="\#(x + cellWidth / 2)" y="\#(y + 17)" text-anchor="middle" class="heat-value\#(step >= 3 ? " on-dark" : "")">\#(HTMLText.escape(cell.caption))\#(cell.small ? "*" : "")</text>"#
            }
        }
        return svg + "</svg>"
    }
}
