import Testing
@testable import LWWSet

/// The memory layout the batch stages count on: a key's state (both sets and its name) is
/// one aligned pair of cache lines, and short keys are confirmed from the state alone.
@Suite struct LayoutTests {
    @Test func aKeyStateFillsOneAlignedPairOfCacheLines() throws {
        #expect(MemoryLayout<KeyState>.size > KeyState.lineBytes / 2)
        #expect(MemoryLayout<KeyState>.stride == KeyState.lineBytes)
        var set = try LWWSet()
        for key in 0 ..< 20 {
            try set.insert(key: "key-\(key)".utf8, score: 1, member: "m".utf8)
        }
        for number in 0 ..< 20 {
            #expect(Int(bitPattern: set.unsafeState(number)) % KeyState.lineBytes == 0)
        }
    }

    @Test func aGroupOfABatchHoldsEveryOperationInFlight() {
        #expect(LWWSet.Pending.Group.count == LWWSet.batchWidth)
        #expect(LWWSet.batchWidth >= 16)
    }

    @Test func keysAreFoundByTheirBytesInlineOrNot() throws {
        var set = try LWWSet()
        // Lengths around the inline capacity, and keys equal in their first 24 bytes.
        let keys: [[UInt8]] = [0, 1, 7, 8, 23, 24, 25, 40, 300].flatMap { length -> [[UInt8]] in
            let key = (0 ..< length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
            return length > 0 ? [key, Array(key.dropLast()) + [key.last! &+ 1]] : [key]
        }
        for (index, key) in keys.enumerated() {
            try set.insert(key: key, score: Double(index), member: "m".utf8)
        }
        #expect(set.statistics.keys == keys.count)
        for (index, key) in keys.enumerated() {
            let selection = try set.select(key: key, offset: 0, limit: 0)
            #expect(selection.map(\.score) == [Double(index)], "key of \(key.count) bytes")
        }
        try set.insert(key: [UInt8](repeating: 9, count: 24), score: 1, member: "m".utf8)
        #expect(set.statistics.keys == keys.count + 1)
    }
}
