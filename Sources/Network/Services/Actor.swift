import Foundation

/// Who is doing a write: a user, and the person she acts for when staff record for a member.
public struct Actor: Sendable, Equatable {
    public let userID: UUID?
    public let login: String
    public let onBehalfOf: UUID?

    public init(userID: UUID?, login: String, onBehalfOf: UUID? = nil) {
        self.userID = userID
        self.login = login
        self.onBehalfOf = onBehalfOf
    }

    /// Writes made by Ashar itself: migrations, the demo loader, commands run by the operator.
    public static let system = Actor(userID: nil, login: "system")

    public func acting(for personID: UUID?) -> Actor {
        Actor(userID: userID, login: login, onBehalfOf: personID)
    }
}
