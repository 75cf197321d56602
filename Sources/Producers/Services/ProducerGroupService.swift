import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

public struct GroupRecord: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let memberCount: Int
}

public struct ProducerMemberRecord: Sendable, Equatable {
    public let id: UUID
    public let groupID: UUID
    public let personID: UUID
    public let role: ProducerRole
    public let produces: String
    public let joinedOn: String
}

/// Who may run a producer group: its coordinators and network admins.
public enum ProducerAccess {
    public static func canManage(_ grants: [Grant], group: UUID) -> Bool {
        AccessPolicy.runs(grants, organisation: group)
    }
}

/// Producer groups and their members.
public struct ProducerGroupService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Starts keeping the books of a network organisation of kind producer group.
    public func open(_ organisationID: UUID, by actor: Actor) async throws -> GroupRecord {
        try await db.writeTransaction { tx in
            guard let org = try await Organisation.find(organisationID, on: tx), org.kind == .producerGroup else {
                throw DomainError("producers.not-a-group", field: "organisation_id")
            }
            if try await ProducerGroup.find(organisationID, on: tx) != nil { throw DomainError("producers.group-already-open", kind: .conflict) }
            let group = ProducerGroup()
            group.id = organisationID
            group.fundRule = .simpleMajority
            try await group.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "producer_group", entityID: organisationID, changes: [])
            return try await ProducerGroupService(db: tx).group(organisationID)
        }
    }

    /// The groups by name, each with its member count.
    public func groups(page: PageQuery) async throws -> Paged<GroupRecord> {
        let (ids, total) = try await db.organisationPage(ProducerGroup.schema, kind: .producerGroup, page: page)
        let orgs = try await OrganisationService(db: db).lookup(ids)
        let counts = try await db.rowCounts("producer_members", by: "group_id", in: ids)
        return Paged(items: ids.map { GroupRecord(id: $0, name: orgs[$0]?.name ?? "", memberCount: counts[$0] ?? 0) }, total: total, request: page)
    }

    public func group(_ id: UUID) async throws -> GroupRecord {
        guard try await ProducerGroup.find(id, on: db) != nil else { throw DomainError.notFound("producers.group") }
        let org = try await OrganisationService(db: db).get(id)
        return GroupRecord(id: id, name: org.name, memberCount: try await ProducerMember.query(on: db).filter(\.$groupID == id).count())
    }

    /// Registers a woman from the registry as a member of the group.
    public func join(_ groupID: UUID, personID: UUID, role: ProducerRole = .member, produces: String, by actor: Actor) async throws -> ProducerMemberRecord {
        try await db.writeTransaction { tx in
            _ = try await ProducerGroupService(db: tx).group(groupID)
            _ = try await PeopleService(db: tx).get(personID)
            if try await ProducerMember.query(on: tx).filter(\.$groupID == groupID).filter(\.$personID == personID).first() != nil {
                throw DomainError("producers.already-member", kind: .conflict, field: "person_id")
            }
            let member = ProducerMember()
            member.groupID = groupID
            member.personID = personID
            member.role = role
            member.produces = produces.trimmingCharacters(in: .whitespacesAndNewlines)
            member.joinedOn = BishkekCalendar.day(of: Date())
            try await member.create(on: tx)
            try await NetworkReach.record(personID, on: member.joinedOn, db: tx)
            try await KeptCounts.add([KeptCounts.Change(.producerMembers, key: groupID, month: member.joinedOn): 1], on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "producer_member", entityID: member.id, changes: [
                FieldChange(field: "person_id", from: nil, to: personID.uuidString),
                FieldChange(field: "role", from: nil, to: role.rawValue),
            ])
            return Self.record(member)
        }
    }

    public func members(_ groupID: UUID, page: PageQuery) async throws -> Paged<ProducerMemberRecord> {
        _ = try await group(groupID)
        let query = ProducerMember.query(on: db).filter(\.$groupID == groupID)
        let total = try await query.count()
        let rows = try await query.sort(\.$createdAt).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: rows.map(Self.record), total: total, request: page)
    }

    /// Members who joined the groups of each district, by month from `first` ("2026-01") up to a day
    /// (inclusive), and before it (`KeptCounts.earlier`).
    public func membersJoined(from first: String, through day: String) async throws -> [MonthCount] {
        try await KeptCounts.byDistrict(.producerMembers, from: first, throughDay: day, less: "producer_members m JOIN organisations o ON o.id = m.group_id",
                                        day: "m.joined_on", district: "o.district_id", on: db)
    }

    /// The groups a person belongs to.
    public func memberships(of personID: UUID) async throws -> [ProducerMemberRecord] {
        try await ProducerMember.query(on: db).filter(\.$personID == personID).sort(\.$joinedOn).all().map(Self.record)
    }

    static func record(_ m: ProducerMember) -> ProducerMemberRecord {
        ProducerMemberRecord(id: m.id!, groupID: m.groupID, personID: m.personID, role: m.role, produces: m.produces, joinedOn: m.joinedOn)
    }
}
