import Testing
@testable import LWWSet
