/// Who a caller is to the mission; every endpoint names the roles it admits.
public enum Role: String, CaseIterable, Sendable, Codable {
    case admin, supervisor, analyst, monitor, sensor, partner, party, `public`

    /// Roles that see every observation inside the mission.
    public var seesAllObservations: Bool {
        switch self {
        case .admin, .supervisor, .analyst: true
        default: false
        }
    }
}

/// The authenticated caller. Observations record `name` (and `team`) as their reporter.
public struct Identity: Sendable, Hashable {
    public var name: String
    public var role: Role
    /// A patrol team; monitors see the observations of their own team.
    public var team: String?

    public init(name: String, role: Role, team: String? = nil) {
        self.name = name
        self.role = role
        self.team = team
    }
}
