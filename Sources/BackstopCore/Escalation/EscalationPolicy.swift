import BackstopGeo
import Foundation

/// What a guarantor partner is asked for.
public enum RequestType: String, CaseIterable, Sendable, Codable {
    case isr
    case logistics
    case airCoverStandby = "air_cover_standby"
    case medevac
}

/// How soon a request must be answered; deadlines are set per type and priority.
public enum RequestPriority: String, CaseIterable, Sendable, Codable, Comparable {
    case routine, priority, immediate

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// A mission's escalation policy: which situations raise a sector's alert level and which
/// draft a request to a guarantor partner, who the partners are, in which order they are
/// asked, and how long each may take. Versioned data, stored and served like agreements.
public struct EscalationPolicy: Sendable, Hashable {
    public var id: String
    public var version: Int?
    public var title: String
    /// The agreement whose zones sectors and rules may name.
    public var agreementID: String?
    public var sectors: [Sector]
    public var rules: [EscalationRule]
    /// A level is lowered only after no rule has held it for this long (hysteresis).
    public var lowerAfterHours: Double
    public var partners: [Partner]
    /// Per request type, the partners asked in turn when one misses its deadline.
    public var order: [RequestType: [String]]
    public var deadlines: [Deadline]
    /// Who alerts are released to (the incidents behind them are still shown only to whom
    /// each was released).
    public var alertRelease: ReleaseLevel

    public struct Sector: Sendable, Hashable {
        public var id: String
        public var name: String
        public var area: Area

        public enum Area: Sendable, Hashable {
            case polygon(rings: [[GeoPoint]])
            /// A zone of the policy's agreement.
            case zone(String)
        }
    }

    public struct Partner: Sendable, Hashable {
        public var id: String
        public var name: String
        public var provides: [RequestType]
    }

    /// Minutes to acknowledge, to accept (from the acknowledgement) and hours to complete
    /// (from the acceptance), for requests of one type and priority.
    public struct Deadline: Sendable, Hashable {
        public var type: RequestType
        public var priority: RequestPriority
        public var acknowledgeMinutes: Double
        public var acceptMinutes: Double?
        public var completeHours: Double?
    }

    public func deadline(for type: RequestType, priority: RequestPriority) -> Deadline? {
        deadlines.first { $0.type == type && $0.priority == priority }
    }

    /// The partner asked after `tried` for a request of `type`, in the policy's order.
    public func nextPartner(for type: RequestType, after tried: [String]) -> String? {
        order[type]?.first { !tried.contains($0) }
    }

    public func partner(_ id: String) -> Partner? { partners.first { $0.id == id } }
    public func sector(_ id: String) -> Sector? { sectors.first { $0.id == id } }
}

/// One rule: what it counts (its match), over which window, and what a count sets off: a level
/// for the sector, a drafted request, or both.
public struct EscalationRule: Sendable, Hashable {
    public var id: String
    public var description: String
    public var match: Match
    public var windowHours: Double
    public var levels: [LevelStep]
    public var request: RequestTemplate?

    /// Counted events: confirmed findings (of these kinds, rules, agreement, inside zones of
    /// these kinds) or monitors reporting incoming fire at their own position.
    public struct Match: Sendable, Hashable {
        public var source: EscalationEvent.Source
        public var findingKinds: Set<String>
        public var ruleIDs: Set<String>
        public var agreementID: String?
        public var zoneKinds: Set<ZoneKind>

        public init(source: EscalationEvent.Source, findingKinds: Set<String> = [], ruleIDs: Set<String> = [], agreementID: String? = nil,
                    zoneKinds: Set<ZoneKind> = []) {
            self.source = source
            self.findingKinds = findingKinds
            self.ruleIDs = ruleIDs
            self.agreementID = agreementID
            self.zoneKinds = zoneKinds
        }
    }

    /// The sector rises to `level` when the count reaches `atLeast`; the rule holds the level
    /// while the count stays at `holdAtLeast` or more (at most `atLeast`).
    public struct LevelStep: Sendable, Hashable {
        public var level: Int
        public var atLeast: Int
        public var holdAtLeast: Int
    }

    /// A request the rule drafts when the count reaches `atLeast`.
    public struct RequestTemplate: Sendable, Hashable {
        public var type: RequestType
        public var priority: RequestPriority
        public var atLeast: Int
        /// The time window asked for, from when the draft is made.
        public var windowHours: Double
        public var text: String
    }
}
