import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import OpenAPIRuntime
import Referrals
import Reporting
import Vapor

/// The network's indicators as JSON: the same figures as the dashboard.
extension AsharAPI {
    func getIndicators(_ input: Operations.GetIndicators.Input) async throws -> Operations.GetIndicators.Output {
        let req = try APIRequest.allowed { AccessPolicy.permits($0, .readAggregates) }
        let today = BishkekCalendar.day(of: Date())
        for (day, field) in [(input.query.from, "from"), (input.query.to, "to")] {
            if let day, BishkekCalendar.start(of: day) == nil {
                throw DomainError("reporting.date-invalid", field: field, arguments: ["value": day])
            }
        }
        let from = input.query.from ?? String(today.prefix(4)) + "-01-01", to = input.query.to ?? today
        let report = try await NetworkIndicators(db: req.reportsDB).report(from: min(from, to), to: max(from, to))
        func value(_ count: Int, _ code: IndicatorCode) -> Components.Schemas.IndicatorValue {
            let suppressed = code.isSensitive && count > 0 && count < SmallCount.threshold
            return .init(value: suppressed ? nil : count, suppressed: suppressed)
        }
        return .ok(.init(body: .json(.init(
            from: report.from, to: report.to, total: report.indicators.count,
            items: report.indicators.map { indicator in
                .init(code: .init(rawValue: indicator.code.rawValue)!, unit: .init(rawValue: indicator.code.unit.rawValue)!, total: value(indicator.total, indicator.code),
                      districts: indicator.byDistrict.sorted { $0.key.uuidString < $1.key.uuidString }.map {
                          .init(districtId: $0.key.uuidString, value: value($0.value, indicator.code))
                      })
            }))))
    }
}

/// Who offers what where, as the public directory page shows it.
extension AsharAPI {
    func getPublicDirectory(_ input: Operations.GetPublicDirectory.Input) async throws -> Operations.GetPublicDirectory.Output {
        let req = try APIRequest.get()
        let q = input.query
        let directory = try await DirectorySearch.load(req, isStaff: false)
        let matching = directory.matching(q.q ?? "", district: try q.districtId.map { try Self.id($0, field: "districtId") })
        let page = PageQuery(page: q.page, per: q.per)
        return .ok(.init(body: .json(.init(
            total: matching.count,
            items: matching.dropFirst(page.offset).prefix(page.per).map { entry in
                .init(organisationId: entry.organisationID?.uuidString, name: entry.name, kind: entry.kind.flatMap { .init(rawValue: $0.rawValue) },
                      districtIds: entry.districtIDs.map(\.uuidString).sorted(), villageId: directory.village(entry)?.uuidString,
                      offers: entry.offers.map { offer in
                          .init(_type: Self.offerType(offer), nameKy: DirectorySearch.label(offer, .ky), nameRu: DirectorySearch.label(offer, .ru),
                                nameEn: DirectorySearch.label(offer, .en))
                      })
            }))))
    }

    static func offerType(_ offer: DirectoryOffer) -> Components.Schemas.DirectoryList.ItemsPayloadPayload.OffersPayloadPayload._TypePayload {
        switch offer {
        case .category: .timeBankCategory
        case .product: .product
        case .help: .helpService
        case .partner: .partnerService
        case .training: .trainingTopic
        }
    }
}
