import Foundation

/// A way an incident breaks the agreement in force at its time: the rule, the party when it
/// can be told, and the measured quantity against the limit, in words.
public struct Finding: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case weaponInsideWithdrawalDistance = "weapon_inside_withdrawal_distance"
        case fireInProtectedZone = "fire_in_protected_zone"
        case prohibitedActivity = "prohibited_activity"
        case liveFireInSecurityZone = "live_fire_in_security_zone"
        case monitorsRestricted = "monitors_restricted"
        case zoneCapExceeded = "zone_cap_exceeded"
        case heavyWeaponNearSettlement = "heavy_weapon_near_settlement"
    }

    public var agreementID: String = ""

    public var kind: Kind
    public var ruleID: String
    public var party: String?
    public var measured: Double?
    public var limit: Double?
    public var text: String

    public init(kind: Kind, ruleID: String, party: String?, measured: Double?, limit: Double?, text: String) {
        self.kind = kind
        self.ruleID = ruleID
        self.party = party
        self.measured = measured
        self.limit = limit
        self.text = text
    }
}
