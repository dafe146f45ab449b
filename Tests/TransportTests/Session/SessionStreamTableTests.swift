import SeededRandom
import Testing
@testable import Transport

/// The session's stream table against the standard dictionary, over seeded random inserts,
/// updates and removals (colliding ids included).
@Suite struct SessionStreamTableTests {
    @Test("behaves as a dictionary through growth and backward-shift removals")
    func againstDictionary() {
        var random = SplitMix64(seed: 0x57AB_1E)
        var table = StreamTable()
        var reference: [UInt32: UInt32] = [:]
        for step in 0..<20_000 {
            // Ids from a small range so that slots collide and removals shift.
            let id = UInt32.random(in: 1...600, using: &random) | 1
            switch UInt8.random(in: 0...2, using: &random) {
            case 0, 1:
                let credit = UInt32(step)
                table[id] = StreamState(kind: .requestStream, generation: 0, credit: credit)
                reference[id] = credit
            default:
                #expect(table.removeValue(forKey: id)?.credit == reference.removeValue(forKey: id))
            }
            #expect(table.count == reference.count)
            if step % 997 == 0 {
                for (key, credit) in reference { #expect(table[key]?.credit == credit) }
                #expect(table.values.count == reference.count)
            }
        }
        for key in stride(from: UInt32(1), through: 601, by: 2) { #expect(table[key]?.credit == reference[key]) }
        table.removeAll()
        #expect(table.isEmpty && table[1] == nil)
    }
}
