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
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(escape(title))">\
            <title>\(escape(title))</title>
            """
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * rowHeight
            let length = bar.value == 0 ? 0 : max(2, abs(bar.value) * barSpace / largest)
            svg += """
                <text x="\(labelWidth - 8)" y="\(y + 17)" text-anchor="end" class="chart-label">\(escape(clip(bar.label)))</text>\
                <rect x="\(labelWidth)" y="\(y + 4)" width="\(length)" height="\(rowHeight - 8)" class="chart-bar\(bar.value < 0 ? " negative" : "")"/>\
                <text x="\(labelWidth + length + 6)" y="\(y + 17)" class="chart-value">\(escape(bar.caption))</text>

                """
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
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
