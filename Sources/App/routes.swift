import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import OpenAPIVapor
import SQLKit
import Vapor

func routes(_ app: Application, resources: AppResources) throws {
    app.get("health") { req async throws -> Response in
        // A query that touches the database, not just the pool. Down: 503, for the load balancer.
        var healthy = true
        do {
            try await (req.db as? any SQLDatabase)?.raw("SELECT 1").run()
        } catch {
            req.logger.error("health check: the database does not answer", metadata: ["error": .string(String(describing: error))])
            healthy = false
        }
        let response = Response(status: healthy ? .ok : .serviceUnavailable)
        try response.content.encode(["status": healthy ? "ok" : "database unavailable"], as: .json)
        return response
    }
    app.get("metrics") { _ -> Response in
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: AsharMetrics.text()))
    }
    app.get("api", "v1", "openapi.yaml") { req async throws -> Response in
        let response = try await req.fileio.asyncStreamFile(at: resources.openAPISpec)
        response.headers.contentType = HTTPMediaType(type: "application", subType: "yaml")
        return response
    }

    try app.register(collection: SMSController())

    let web = app.grouped(CSRFMiddleware())
    try web.register(collection: LoginController())
    try web.register(collection: HomeController())
    try web.register(collection: GeographyController())
    try web.register(collection: OrganisationsController())
    try web.register(collection: PeopleController())
    try web.register(collection: UsersController())
    try web.register(collection: AuditController())
    try web.register(collection: TimeBankController())
    try web.register(collection: BatchEntryController())
    try web.register(collection: BoardController())
    try web.register(collection: MemberExchangeController())
    try web.register(collection: ReportsController())
    try web.register(collection: MemberImportController())
    try web.register(collection: ExchangeSheetsController())
    try web.register(collection: OfficeSyncController())
    try web.register(collection: ApplicationsController())
    try web.register(collection: ProducersController())
    try web.register(collection: SalePoolsController())
    try web.register(collection: GroupFundController())
    try web.register(collection: EquipmentController())
    try web.register(collection: SuppliersController())
    try web.register(collection: ProducerReportsController())
    try web.register(collection: FormsController())
    try web.register(collection: SurveyEntryController())
    try web.register(collection: SurveyAnalysisController())
    try web.register(collection: SubmissionsController())
    try web.register(collection: CasesController())
    try web.register(collection: HelpRequestsController())
    try web.register(collection: DirectoryController())
    try web.register(collection: ReferralReportController())
    try web.register(collection: StakeholdersController())
    try web.register(collection: AgreementsController())
    try web.register(collection: NeedsGapsController())
    try web.register(collection: ProductsController())
    try web.register(collection: LabelsController())
    try web.register(collection: DocumentsController())
    try web.register(collection: RegistryController())
    try web.register(collection: BrandsController())
    try web.register(collection: GuaranteeController())
    try web.register(collection: PublicBatchController())
    try web.register(collection: TrainingsController())
    try web.register(collection: DashboardController())
    try web.register(collection: NetworkDirectoryController())
    try web.register(collection: PersonPathController())
    try web.register(collection: RemindersController())
    try web.register(collection: SMSController.Pages())

    let api = app.grouped("api", "v1").grouped(APIBodyLimitMiddleware(), EmptyBodyAsJSONMiddleware(), BearerUserMiddleware(),
                                                 IdempotencyMiddleware(), APIRequestMiddleware())
    try AsharAPI().registerHandlers(on: VaporTransport(routesBuilder: api), serverURL: URL(string: "/")!)
}
