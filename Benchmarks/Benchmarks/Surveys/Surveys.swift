import App
import Benchmark
import BenchmarkSupport
import DemoData
import Foundation
import Kernel
import Needs
import Vapor

/// Surveys on the embedded SQLite with Ashar's settings, without HTTP: importing a KoboToolbox export
/// of 100,000 baseline submissions (goal: under 10 s) and a cross-tab over them (goal: under 500 ms).
/// Figures: docs/PERFORMANCE.md.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(120), maxIterations: 20)

    // Each round imports into a new version of the form (the same submissions again would be
    // duplicates); making it, some milliseconds, is inside the measured time.
    Benchmark("Needs import: a KoboToolbox export of 100,000 submissions", configuration: .init(warmupIterations: 0, maxIterations: 3)) { benchmark, world in
        for _ in benchmark.scaledIterations {
            let form = try await world.newForm(version: "bench-\(UUID().uuidString.prefix(8))")
            blackHole(try await SubmissionService(db: world.app.db).importExport(form: form, files: [world.export], source: .kobo, by: .system))
        }
    } setup: {
        try await SurveyWorld.make(imported: false)
    } teardown: {
        try await BenchmarkApps.closeAll()
    }

    Benchmark("Needs crosstab: needs × district over 100,000 submissions") { benchmark, world in
        for _ in benchmark.scaledIterations {
            blackHole(try await AnalysisService(db: world.app.db).crosstab(form: world.form, row: "needs", column: "district", weight: nil,
                                                                         language: "ky", labels: [:]))
        }
    } setup: {
        try await SurveyWorld.make(imported: true)
    } teardown: {
        try await BenchmarkApps.closeAll()
    }

    Benchmark("Needs frequencies: household size, weighted by it, over 100,000 submissions") { benchmark, world in
        for _ in benchmark.scaledIterations {
            blackHole(try await AnalysisService(db: world.app.db).frequencies(form: world.form, question: "household_size",
                                                                            weight: "household_size", language: "ky", labels: [:]))
        }
    } setup: {
        try await SurveyWorld.make(imported: true)
    } teardown: {
        try await BenchmarkApps.closeAll()
    }
}

/// The baseline form on a file database, a 100,000-row export of it, and when asked the export imported.
final class SurveyWorld: @unchecked Sendable {
    let app: Application
    let export: ExportFile
    let form: UUID

    init(app: Application, export: ExportFile, form: UUID) {
        self.app = app
        self.export = export
        self.form = form
    }

    func newForm(version: String) async throws -> UUID {
        let text = String(decoding: try FormService.baseline, as: UTF8.self).replacingOccurrences(of: ",2026-11,", with: ",\(version),")
        return try await FormService(db: app.db).importForm(Data(text.utf8), kind: .csv, by: .system).id
    }

    static func make(imported: Bool) async throws -> SurveyWorld {
        let app = try await BenchmarkApps.open()
        let export = ExportFile(name: "baseline-kobo.csv", data: try DemoSurvey.baselineExport(count: 100_000))
        guard let form = try await FormService(db: app.db).latest(formKey: "ashar_baseline_needs")?.id else { throw DomainError.notFound("needs.form") }
        if imported { _ = try await SubmissionService(db: app.db).importExport(form: form, files: [export], source: .kobo, by: .system) }
        return SurveyWorld(app: app, export: export, form: form)
    }
}
