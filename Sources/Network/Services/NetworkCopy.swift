import FluentKit
import Foundation
import Kernel

/// Copying the network's shared rows from one server to another (an office set up from the centre):
/// places and organisations keep the ids they were made with, and a row already present is left as is.
public enum NetworkCopy {
    /// Every place, parents before children, and the organisations named.
    public static func reference(organisations ids: Set<UUID>, on db: any Database) async throws -> (places: [Place], organisations: [Organisation]) {
        let levels = PlaceLevel.allCases
        let places = try await Place.query(on: db).all()
            .sorted { (levels.firstIndex(of: $0.level)!, $0.id!) < (levels.firstIndex(of: $1.level)!, $1.id!) }
        return (places, try await Organisation.query(on: db).filter(\.$id ~~ Array(ids)).all())
    }

    /// Writes the rows this database does not have yet, in the order given.
    public static func insertAbsent<M: Model>(_ rows: [M], on db: any Database) async throws where M.IDValue == UUID {
        let present = Set(try await M.query(on: db).filter(\._$id ~~ rows.compactMap(\.id)).all().compactMap(\.id))
        for row in rows where !present.contains(row.id!) { try await row.create(on: db) }
    }
}

extension PeopleService {
    /// Registers a person made on another server, under the id she was given there. Her details are
    /// checked as any registration's; she is not compared with the registry (the other server did that).
    /// Present already: nothing changes.
    public func copyIn(_ id: UUID, _ draft: PersonDraft, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            guard try await Person.find(id, on: tx) == nil else { return }
            let person = Person()
            try await Self.apply(draft, to: person, on: tx)
            person.id = id
            try await person.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "person", entityID: id,
                                      changes: FieldChange.diff([:], Self.snapshot(person)))
        }
    }

    /// What a copy of her needs: her details as a draft.
    public func drafts(_ ids: some Collection<UUID>) async throws -> [UUID: PersonDraft] {
        try await lookup(ids).mapValues(PersonDraft.init)
    }
}
