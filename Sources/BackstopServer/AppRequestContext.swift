import BackstopCore
import Hummingbird

/// Per-request state: Hummingbird's core storage plus the caller, once authenticated.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }
}
