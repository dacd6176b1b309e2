import Foundation

/// How the report writes numbers and things in English, as the mission's reports did:
/// "seven explosions", "12 multiple launch rocket systems", "shots and bursts".
public enum ReportText {
    static let small = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

    /// Numbers up to ten in words, larger ones in digits.
    public static func count(_ value: Int) -> String {
        value >= 0 && value < small.count ? small[value] : String(value)
    }

    /// "1", "2.5": a distance as monitors write it.
    public static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// "seven explosions", "one explosion".
    public static func counted(_ value: Int, _ singular: String, _ plural: String) -> String {
        "\(count(value)) \(value == 1 ? singular : plural)"
    }

    /// A kind of record or incident, singular and plural.
    public static func kind(_ kind: String, subkind: String? = nil) -> (String, String) {
        switch kind {
        case "explosion":
            let prefix = subkind.map { $0 + " " } ?? ""
            return ("\(prefix)explosion", "\(prefix)explosions")
        case "projectile": return ("projectile in flight", "projectiles in flight")
        case "muzzle_flash": return ("muzzle flash", "muzzle flashes")
        case "illumination_flare": return ("illumination flare", "illumination flares")
        case "bursts_shots": return ("shot or burst", "shots and bursts")
        case "tracer": return ("tracer round", "tracer rounds")
        case "weapon_sighting": return ("weapon sighting", "weapon sightings")
        case "troop_movement": return ("troop movement", "troop movements")
        case "uav_overflight": return ("UAV overflight", "UAV overflights")
        case "mine": return ("mine", "mines")
        case "casualty": return ("casualty report", "casualty reports")
        case "damage": return ("report of damage", "reports of damage")
        case "freedom_of_movement_restriction": return ("restriction of movement", "restrictions of movement")
        case "gps_interference": return ("instance of GPS interference", "instances of GPS interference")
        default:
            let words = kind.replacingOccurrences(of: "_", with: " ")
            return (words, words + "s")
        }
    }

    /// A weapon class, singular and plural.
    public static func weapon(_ name: String) -> (String, String) {
        switch WeaponClass(rawValue: name) {
        case .artillery100mmPlus: ("artillery piece (100 mm or more)", "artillery pieces (100 mm or more)")
        case .artilleryUnder100mm: ("artillery piece (under 100 mm)", "artillery pieces (under 100 mm)")
        case .mortar: ("mortar", "mortars")
        case .mlrs: ("multiple launch rocket system", "multiple launch rocket systems")
        case .heavyMLRS: ("heavy multiple launch rocket system", "heavy multiple launch rocket systems")
        case .tacticalMissile: ("tactical missile system", "tactical missile systems")
        case .tank: ("tank", "tanks")
        case .armouredVehicle: ("armoured combat vehicle", "armoured combat vehicles")
        case .antiTankGun: ("anti-tank gun", "anti-tank guns")
        case .antiAircraft: ("anti-aircraft weapon", "anti-aircraft weapons")
        case .manpads: ("MANPADS", "MANPADS")
        case .smallArms: ("small arm", "small arms")
        case .uav: ("military UAV", "military UAVs")
        case nil: (name.replacingOccurrences(of: "_", with: " "), name.replacingOccurrences(of: "_", with: " ") + "s")
        }
    }

    /// "5 h 20 min", "40 min", "2 d 3 h".
    public static func duration(_ seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded())
        let (days, hours, rest) = (minutes / 1440, minutes % 1440 / 60, minutes % 60)
        if days > 0 { return "\(days) d" + (hours > 0 ? " \(hours) h" : "") }
        if hours > 0 { return "\(hours) h" + (rest > 0 ? " \(rest) min" : "") }
        return "\(max(rest, 1)) min"
    }

    /// "a, b and c".
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }

    /// "heard", "saw", "saw and heard", "camera": how a record was made, as the report says it.
    public static func modality(_ modality: String) -> String {
        switch modality {
        case "saw_and_heard": "saw and heard"
        case "uav": "UAV"
        case "acoustic": "acoustic sensor"
        default: modality.replacingOccurrences(of: "_", with: " ")
        }
    }
}

extension String {
    /// "Seven cameras" from "seven cameras".
    var capitalizingFirst: String { prefix(1).uppercased() + dropFirst() }
}

