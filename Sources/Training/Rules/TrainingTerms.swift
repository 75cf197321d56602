import AsharNetwork
import Foundation

/// What the Centre for Entrepreneurship Support teaches and advises on.
public enum TrainingTopic: String, Codable, Sendable, CaseIterable {
    case startup
    case production
    case standards
    case bookkeeping
    case microfinance
    case awareness
}

/// What a partner gave a session.
public enum PartnerContribution: String, Codable, Sendable, CaseIterable {
    case premises
    case experts
    case both
}

/// Who keeps the Centre's records of trainings and consultations: its staff (coordinators) and admins.
public enum TrainingAccess {
    public static func canManage(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator }
    }
}

/// Women trained, by topic and district: named attendees counted once per topic and district however
/// many sessions they came to, plus the headcounts of sessions where names were not kept.
public enum TrainedCount {
    public struct Attendance: Sendable, Equatable {
        /// The session's day: a period's attendance is read once and cut into months by whoever counts it.
        public let heldOn: String
        public let topic: TrainingTopic
        public let districtID: UUID
        public let personID: UUID?
        /// A session's headcount of women whose names were not kept (0 for a named attendance).
        public let headcount: Int

        public init(heldOn: String, topic: TrainingTopic, districtID: UUID, personID: UUID?, headcount: Int = 0) {
            (self.heldOn, self.topic, self.districtID, self.personID, self.headcount) = (heldOn, topic, districtID, personID, headcount)
        }
    }

    public struct Key: Hashable, Sendable {
        public let topic: TrainingTopic
        public let districtID: UUID

        public init(topic: TrainingTopic, districtID: UUID) {
            (self.topic, self.districtID) = (topic, districtID)
        }
    }

    public static func count(_ attendance: [Attendance]) -> [Key: Int] {
        var named: [Key: Set<UUID>] = [:]
        var counted: [Key: Int] = [:]
        for a in attendance {
            let key = Key(topic: a.topic, districtID: a.districtID)
            if let person = a.personID { named[key, default: []].insert(person) } else { counted[key, default: 0] += a.headcount }
        }
        for (key, people) in named { counted[key, default: 0] += people.count }
        return counted
    }
}
