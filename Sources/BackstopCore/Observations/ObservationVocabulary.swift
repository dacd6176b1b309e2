/// What was observed. Ceasefire-violation kinds follow the OSCE SMM conventions.
public enum ObservationKind: String, CaseIterable, Sendable, Codable {
    case explosion, projectile
    case muzzleFlash = "muzzle_flash"
    case illuminationFlare = "illumination_flare"
    case burstsShots = "bursts_shots"
    case tracer
    case weaponSighting = "weapon_sighting"
    case troopMovement = "troop_movement"
    case uavOverflight = "uav_overflight"
    case mine, casualty, damage
    case freedomOfMovementRestriction = "freedom_of_movement_restriction"
    case gpsInterference = "gps_interference"

    /// Whether a record of this kind counts as a ceasefire violation in the daily totals.
    public var isCeasefireViolation: Bool {
        switch self {
        case .explosion, .projectile, .muzzleFlash, .illuminationFlare, .burstsShots, .tracer: true
        default: false
        }
    }
}

/// Sub-types of an explosion; other kinds take a free-text subkind.
public enum ExplosionSubkind: String, CaseIterable, Sendable {
    case impact, airburst, undetermined
}

/// How the record was obtained.
public enum Modality: String, CaseIterable, Sendable, Codable {
    case heard, saw
    case sawAndHeard = "saw_and_heard"
    case camera, uav, acoustic, radar, satellite
    case openSource = "open_source"
    case partyAllegation = "party_allegation"
    case partnerReport = "partner_report"
}

public enum FireDirection: String, CaseIterable, Sendable, Codable {
    case outgoing, incoming, unknown
}

/// How precisely `observed_at` is known.
public enum TimePrecision: String, CaseIterable, Sendable, Codable {
    case exact, minute, hour, day, week, month
}
