@testable import AsharNetwork
@testable import Certification
import FluentKit
import Foundation
@testable import Needs
@testable import Partnerships
@testable import Producers
@testable import Referrals
import Synchronization
import Testing
@testable import TimeBank
@testable import Training

@Suite("Model properties without reflection")
struct ModelPropertiesTests {
    /// Every model of the app, from each of its modules: a new model belongs here too.
    static let models: [any Model.Type] = [
        AuditEntry.self, Person.self, MemberNumber.self, User.self, RoleGrant.self, ApiToken.self, LoginAttempt.self, Organisation.self,
        Place.self, SurveyForm.self, TimeBankSettings.self, TimeBankMember.self, TimeAccount.self, TimeTransfer.self, TimeEntry.self,
        ServiceCategory.self, Listing.self, ExchangeClaim.self, MembershipApplication.self, SyncRow.self, SyncState.self, HelpService.self,
        HelpCase.self, CaseConsent.self, Referral.self, TrainingSession.self, Attendance.self, Consultation.self, Stakeholder.self,
        NeedService.self, Agreement.self, AgreementParty.self, Obligation.self, DeliveredService.self, EquipmentItem.self,
        EquipmentContribution.self, EquipmentBooking.self, EquipmentQueueEntry.self, AccountEntry.self, FundEntry.self, FundClaim.self,
        FundVote.self, Counterparty.self, CatalogueArticle.self, ProducerGroup.self, ProducerMember.self, PurchaseRound.self,
        RoundArticleRow.self, RoundOrder.self, RoundCost.self, SalePool.self, PoolIntake.self, PoolMoney.self, Product.self,
        Regulation.self, RegulationRule.self, ConformityDocument.self, DocumentProduct.self, DocumentRegulation.self, PathStep.self,
        PeerVisit.self, Brand.self, Batch.self,
    ]

    /// What Fluent gets when it asks a model for its properties: the witness the model's conformance chose.
    static func properties<M: Model>(of model: M) -> [any AnyProperty] { model.properties }

    static func check<M: Model>(_ type: M.Type) {
        let model = M()
        let found = properties(of: model)
        // Asked through its layout, not by reflection: the model's file imports AsharNetwork.
        let layout = PropertyLayout.known.withLock { $0[ObjectIdentifier(M.self)] }
        #expect(layout != nil, "\(M.self) was not asked through its layout")
        let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }
        #expect(!found.isEmpty, "\(M.self)")
        #expect(found.map { ObjectIdentifier($0 as AnyObject) } == reflected.map { ObjectIdentifier($0 as AnyObject) }, "\(M.self)")
        #expect(layout??.readers.count == reflected.count, "\(M.self): its layout did not pass the check against reflection")
    }

    @Test("Every model's properties, found where its type keeps them, are the ones reflection finds, in its order")
    func sameAsReflection() {
        for type in Self.models { Self.check(type) }
    }

    @Test("Properties read from the layout are the instance's own: a value set is the value Fluent writes")
    func instanceOwn() throws {
        let account = TimeAccount(member: UUID(), bankID: UUID(), lower: -600, upper: 1_200)
        let balance = try #require(Self.properties(of: account).compactMap { $0 as? FieldProperty<TimeAccount, Int> }
            .first { $0.key == "balance_minutes" })
        account.balanceMinutes = 90
        #expect(balance.value == 90)
    }
}
