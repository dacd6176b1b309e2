import Foundation

/// What a daily report says, in the shape the OSCE mission's daily reports had: summary bullets
/// per region in a fixed order, detail sections, a caveat naming what biases the counts, and an
/// annex table of the incidents. The HTML, the PDF and the JSON are all made from this
/// (encoded with `EscalationJSON`: snake_case keys).
public struct ReportContent: Sendable, Hashable, Codable {
    /// The summary's topics, in the order every region lists them.
    public enum Topic: String, Sendable, Hashable, Codable, CaseIterable {
        case ceasefireViolations = "ceasefire_violations"
        case civilianCasualties = "civilian_casualties"
        case disengagementAreas = "disengagement_areas"
        case weaponsInViolation = "weapons_in_violation"
        case weaponsBeyondWithdrawal = "weapons_beyond_withdrawal"
        case freedomOfMovement = "freedom_of_movement"
    }

    public struct Bullet: Sendable, Hashable, Codable {
        public var topic: Topic
        public var text: String
    }

    public struct Region: Sendable, Hashable, Codable {
        public var name: String
        public var bullets: [Bullet]
    }

    public struct Detail: Sendable, Hashable, Codable {
        public var heading: String
        public var lines: [String]
    }

    public struct AnnexRow: Sendable, Hashable, Codable {
        public var incident: String
        public var time: String
        public var region: String
        public var place: String
        public var kind: String
        public var events: Int
        public var weapons: String
        public var direction: String
        public var observedBy: String
        public var findings: String
        public var verified: Bool

    }

    /// The figures the bullets state, for readers that compare days.
    public struct Totals: Sendable, Hashable, Codable {
        public var ceasefireViolations: Int
        public var explosions: Int
        public var previousCeasefireViolations: Int
        public var previousExplosions: Int
        public var liveFireTraining: Int
        public var civilianKilled: Int
        public var civilianInjured: Int
        public var freedomOfMovementRestrictions: Int
        public var incidents: Int
        /// Incidents of the period left out because they are not verified (0 when the report includes them).
        public var unverifiedLeftOut: Int

        public init(ceasefireViolations: Int, explosions: Int, previousCeasefireViolations: Int, previousExplosions: Int, liveFireTraining: Int,
                    civilianKilled: Int, civilianInjured: Int, freedomOfMovementRestrictions: Int, incidents: Int, unverifiedLeftOut: Int) {
            self.ceasefireViolations = ceasefireViolations
            self.explosions = explosions
            self.previousCeasefireViolations = previousCeasefireViolations
            self.previousExplosions = previousExplosions
            self.liveFireTraining = liveFireTraining
            self.civilianKilled = civilianKilled
            self.civilianInjured = civilianInjured
            self.freedomOfMovementRestrictions = freedomOfMovementRestrictions
            self.incidents = incidents
            self.unverifiedLeftOut = unverifiedLeftOut
        }

    }

    public var summary: [Region]
    public var details: [Detail]
    public var caveats: [String]
    public var annex: [AnnexRow]
    public var totals: Totals

    public init(summary: [Region], details: [Detail], caveats: [String], annex: [AnnexRow], totals: Totals) {
        self.summary = summary
        self.details = details
        self.caveats = caveats
        self.annex = annex
        self.totals = totals
    }
}

/// A camera or sensor that did not report during the period, and since when it has been silent.
public struct SilentSensor: Sendable, Hashable {
    public var name: String
    public var modality: String
    public var lastReport: Date?
    /// How long it was silent within the period, when the registry knows.
    public var silentSeconds: Double?

    public init(name: String, modality: String, lastReport: Date?, silentSeconds: Double? = nil) {
        self.name = name
        self.modality = modality
        self.lastReport = lastReport
        self.silentSeconds = silentSeconds
    }
}
