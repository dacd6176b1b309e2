import BackstopCore
import Hummingbird

/// Per-request state: Hummingbird's core storage plus the caller, once authenticated.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    /// Set when the caller signed in with the console (a session cookie), not a bearer token.
    var session: ConsoleSessions.Session?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        session = nil
    }
}
