import BackstopCore
import HTTPTypes
import Hummingbird

/// What every console page's frame shows (who is signed in, the navigation their role has, the
/// session's CSRF token for forms and scripts), and the headers every page is sent with.
enum ConsoleFrame {
    /// Pages load only what Backstop serves: no CDN, no inline script.
    static let securityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    static func values(_ title: String, _ context: AppRequestContext, identity: Identity?) -> [String: Any] {
        let role = identity?.role ?? .public
        let staff = ReleaseLevel.audience(of: role) == .internal
        return [
            "title": title,
            "signedIn": context.session == nil ? nil : ["name": identity?.name ?? "", "role": role.rawValue] as [String: Any],
            "bearer": context.session == nil && identity != nil && role != .public ? ["name": identity!.name] : nil,
            "csrf": context.session?.csrf,
            "nav": [
                ["href": "/console/map", "name": "Operations map", "show": staff || role == .partner || role == .party],
                ["href": "/console/queue", "name": "Verification queue", "show": staff],
                ["href": "/console/escalation", "name": staff ? "Escalation" : "Requests", "show": staff || role == .partner],
                ["href": "/console/field", "name": "Field report", "show": staff || role == .monitor],
                ["href": "/console/reports", "name": "Reports", "show": staff],
                ["href": "/", "name": "Reports", "show": !staff],
                ["href": "/public/map", "name": "Public map", "show": true],
            ].filter { $0["show"] as? Bool == true },
        ]
    }

    static func secure(_ response: inout Response) {
        response.headers[HTTPField.Name("Content-Security-Policy")!] = securityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[.cacheControl] = "no-store"
    }
}
