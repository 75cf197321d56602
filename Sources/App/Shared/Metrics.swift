import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Metrics
import Prometheus
import Vapor

/// The process's Prometheus registry. Bootstrapped once: a second bootstrap would crash, and tests
/// build many applications in one process.
enum AsharMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Counts requests and their duration by route pattern (never the concrete URL: it could name someone).
struct RequestMetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = AsharMetrics.registry
        let start = ContinuousClock.now
        var status: UInt = 500
        defer {
            let route = request.routePattern
            let dimensions = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            Counter(label: "ashar_http_requests_total", dimensions: dimensions).increment()
            Timer(label: "ashar_http_request_duration_seconds", dimensions: [("method", request.method.rawValue), ("route", route)])
                .recordInterval(since: start)
        }
        // Runs outside the error middleware, so every failure has become a response here.
        let response = try await next.respond(to: request)
        status = response.status.code
        return response
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
