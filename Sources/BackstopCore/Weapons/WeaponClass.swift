/// Weapon classes that agreements set withdrawal distances and caps for.
public enum WeaponClass: String, CaseIterable, Sendable, Codable {
    /// Artillery of calibre 100 mm and above (Minsk: 50 km zone).
    case artillery100mmPlus = "artillery_100mm_plus"
    /// Artillery under 100 mm (Minsk addendum: 15 km).
    case artilleryUnder100mm = "artillery_under_100mm"
    /// Mortars up to 120 mm (Minsk addendum: 15 km).
    case mortar
    /// Multiple-launch rocket systems such as BM-21 Grad (Minsk: 70 km zone).
    case mlrs
    /// Heavy MLRS: Uragan, Smerch, Tornado-S (Minsk: 140 km zone).
    case heavyMLRS = "heavy_mlrs"
    /// Tactical ballistic missiles such as Tochka-U (Minsk: 140 km zone).
    case tacticalMissile = "tactical_missile"
    case tank
    /// Armoured personnel carriers and infantry fighting vehicles.
    case armouredVehicle = "armoured_vehicle"
    case antiTankGun = "anti_tank_gun"
    /// Anti-aircraft guns and surface-to-air missiles other than shoulder-fired ones.
    case antiAircraft = "anti_aircraft"
    /// Shoulder-fired surface-to-air missiles (allowed in Sinai zone D).
    case manpads
    case smallArms = "small_arms"
    case uav

    /// Classes counted as heavy weapons by prohibitions such as "no heavy weapons in settlements".
    public var isHeavyWeapon: Bool {
        switch self {
        case .artillery100mmPlus, .artilleryUnder100mm, .mortar, .mlrs, .heavyMLRS, .tacticalMissile, .tank, .antiTankGun: true
        default: false
        }
    }
}
