/// Who may see an incident (and later a report), from the narrowest to the widest audience.
/// A level includes every audience before it: an incident released to `parties` is seen by
/// the mission, the partners and the parties.
public enum ReleaseLevel: String, CaseIterable, Sendable, Comparable, Codable {
    /// Mission staff only: analysts, supervisors, admins.
    case `internal`
    /// The guarantor partners.
    case partners
    /// The liaisons of the parties to the conflict.
    case parties
    /// Everyone, redacted (see the public view).
    case `public`

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: ReleaseLevel, rhs: ReleaseLevel) -> Bool { lhs.rank < rhs.rank }

    /// The audience a role belongs to: it sees what was released to this level or wider (the
    /// mission's staff, `internal`, see everything). Nil for roles that read no incidents
    /// (monitors and sensors report observations).
    public static func audience(of role: Role) -> ReleaseLevel? {
        switch role {
        case .admin, .supervisor, .analyst: .internal
        case .partner: .partners
        case .party: .parties
        case .public: .public
        case .monitor, .sensor: nil
        }
    }

    /// Whether something released at this level may be shown to `role`.
    public func isVisible(to role: Role) -> Bool {
        guard let audience = Self.audience(of: role) else { return false }
        return self >= audience
    }
}
