import AsharNetwork
import Certification
import FluentKit
import Foundation
import Kernel
import Needs
import Producers
import TimeBank
import Training

/// The services one woman has used across the network, read from each context: her time banks, her
/// producer groups and her account with each, the surveys she answered (linked with her consent), the
/// products she makes, the trainings she came to and the consultations she was given. Referral cases are
/// never read here: whether she asked for help is not anyone's business but her case worker's.
public struct PersonPath: Sendable {
    public let timeBanks: [MemberRecord]
    public let groups: [(membership: ProducerMemberRecord, balance: Int)]
    public let surveys: [SubmissionRecord]
    public let products: [ProductRecord]
    public let trainings: [SessionRecord]
    public let consultations: [ConsultationRecord]

    public static func of(_ personID: UUID, on db: any Database) async throws -> PersonPath {
        var groups: [(membership: ProducerMemberRecord, balance: Int)] = []
        for membership in try await ProducerGroupService(db: db).memberships(of: personID) {
            groups.append((membership, try await MemberAccountService(db: db).account(membership.id).balance))
        }
        return PersonPath(
            timeBanks: try await TimeBankService(db: db).memberships(of: personID),
            groups: groups,
            surveys: try await SubmissionService(db: db).submissions(of: personID),
            products: try await ProductService(db: db).products(maker: personID, page: PageQuery(page: 1, per: PageQuery.maxPer)).items,
            trainings: try await TrainingService(db: db).sessions(attendedBy: personID),
            consultations: try await TrainingService(db: db).consultations(of: personID))
    }
}
