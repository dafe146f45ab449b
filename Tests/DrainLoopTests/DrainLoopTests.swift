import Testing
@testable import DrainLoop
