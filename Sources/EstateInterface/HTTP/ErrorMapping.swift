import EstateData
import Logging

/// The one place where data-layer failures become HTTP problems.
extension DataError {
    func problem(logger: Logger) -> Problem {
        switch self {
        case .unavailable(let reason):
            logger.warning("database unavailable", metadata: ["reason": .string(reason)])
            return .unavailable("The database is unavailable right now; retry shortly.", retryAfterSeconds: 2)
        case .timedOut:
            logger.warning("database statement timed out")
            return .unavailable("The database took too long to answer; retry shortly.", retryAfterSeconds: 2)
        case .internalFailure(let reason):
            logger.error("database failure", metadata: ["reason": .string(reason)])
            return .internalError
        }
    }
}
