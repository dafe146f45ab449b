import Testing
@testable import ShmRing
