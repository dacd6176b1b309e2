import BackstopGeo
import Foundation

/// A ceasefire agreement as data: a versioned document with an effective time.
public struct Agreement: Sendable, Hashable {
    public var id: String
    /// Set by the store: each saved change is a new version, and old versions are kept.
    public var version: Int?
    public var title: String
    /// For example "approximate sample data, not a legal reference".
    public var notice: String?
    public var effectiveFrom: Date
    public var effectiveUntil: Date?
    public var parties: [Party]
    public var lines: [AgreementLine]
    public var withdrawalRules: [WithdrawalRule]
    public var zones: [Zone]
    public var prohibitions: [Prohibition]
    /// Models this agreement adds to the standard catalogue.
    public var catalogueAdditions: [WeaponCatalogue.Entry]

    public var contactLine: AgreementLine? { lines.first { $0.kind == .contactLine } }

    public var ruleCount: Int {
        withdrawalRules.count + zones.reduce(0) { $0 + max($1.caps.count, 1) } + prohibitions.count
    }

    /// The catalogue in force under this agreement.
    public var catalogue: WeaponCatalogue {
        var catalogue = WeaponCatalogue.standard
        catalogueAdditions.forEach { catalogue.add($0) }
        return catalogue
    }
}

public struct Party: Sendable, Hashable {
    public var id: String
    public var name: String
    public var side: SideOfLine
    /// The line this party measures its withdrawal distances from.
    public var measuresFrom: String
}

public enum LineKind: String, CaseIterable, Sendable {
    case contactLine = "contact_line"
    case measuringLine = "measuring_line"
    case demarcationLine = "demarcation_line"
    case border
}

public struct AgreementLine: Sendable, Hashable {
    public var id: String
    public var name: String
    public var kind: LineKind
    public var points: [GeoPoint]
}

/// "Heavy weapons of these classes are withdrawn D km from the party's measuring line."
public struct WithdrawalRule: Sendable, Hashable {
    public var id: String
    public var weaponClasses: [WeaponClass]
    public var distanceKm: Double
    /// Party ids the rule binds; every party when empty.
    public var parties: [String]
    public var effectiveFrom: Date
    public var source: String?
}

public enum ZoneKind: String, CaseIterable, Sendable {
    case forceLimitedZone = "force_limited_zone"
    case demilitarisedZone = "demilitarised_zone"
    case disengagementArea = "disengagement_area"
    case securityZone = "security_zone"
}

/// A zone's area: drawn as a polygon, or everything within a distance of a line (a DMZ).
public enum ZoneArea: Sendable, Hashable {
    case polygon(rings: [[GeoPoint]])
    case lineBuffer(lineID: String, halfWidthKm: Double)
}

public enum ForceUnit: String, CaseIterable, Sendable {
    case troops
    case mechanisedInfantryDivisions = "mechanised_infantry_divisions"
    case infantryBattalions = "infantry_battalions"
    case borderSecurityBattalions = "border_security_battalions"
}

/// What a cap limits: personnel and formations, or a weapon class.
public enum CapSubject: Sendable, Hashable, CustomStringConvertible {
    case force(ForceUnit)
    case weapon(WeaponClass)

    public init?(rawValue: String) {
        if let unit = ForceUnit(rawValue: rawValue) {
            self = .force(unit)
        } else if let weapon = WeaponClass(rawValue: rawValue) {
            self = .weapon(weapon)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .force(let unit): unit.rawValue
        case .weapon(let weapon): weapon.rawValue
        }
    }
}

public struct ForceCap: Sendable, Hashable {
    public var subject: CapSubject
    public var maximum: Int

    public init(subject: CapSubject, maximum: Int) {
        self.subject = subject
        self.maximum = maximum
    }
}

public struct Zone: Sendable, Hashable {
    public var id: String
    public var name: String
    public var kind: ZoneKind
    public var area: ZoneArea
    /// The party whose forces the caps bind, when the zone is one party's.
    public var party: String?
    public var caps: [ForceCap]
    public var effectiveFrom: Date
}

public enum ProhibitedActivity: String, CaseIterable, Sendable {
    case offensiveOperations = "offensive_operations"
    case reconnaissanceOperations = "reconnaissance_operations"
    case sabotageOperations = "sabotage_operations"
    case aerialVehicleUse = "aerial_vehicle_use"
    case firing
    case heavyWeaponsNearSettlements = "heavy_weapons_near_settlements"
    case mineLaying = "mine_laying"
    case flightsOverSecurityZone = "flights_over_security_zone"
    case hostileActs = "hostile_acts"
    case unauthorisedCrossing = "unauthorised_crossing"
    case restrictingMonitors = "restricting_monitors"
}

public struct Prohibition: Sendable, Hashable {
    public var id: String
    public var activity: ProhibitedActivity
    /// Limits the prohibition to one zone (e.g. hostile acts within the DMZ).
    public var zone: String?
    /// For distance-based prohibitions such as heavy weapons near settlements.
    public var distanceKm: Double?
    public var effectiveFrom: Date
    public var text: String?
}
