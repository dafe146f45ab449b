@testable import LWWSet

/// A slow, obviously correct model of Roshi's rules (dictionaries and sorts), against
/// which the real set is checked write by write.
struct ReferenceModel {
    /// One key's two sets: member bytes → score.
    struct Sets {
        var add: [[UInt8]: Double] = [:]
        var remove: [[UInt8]: Double] = [:]
    }

    var maxSize: Int
    var keys: [[UInt8]: Sets] = [:]

    init(maxSize: Int) {
        self.maxSize = maxSize
    }

    /// Applies a write by the three rules, returning whether it was applied.
    mutating func write(_ kind: WriteKind, key: [UInt8], score: Double, member: [UInt8]) -> WriteOutcome {
        var sets = keys[key] ?? Sets()
        let target = kind == .insert ? sets.add : sets.remove
        if target.count >= maxSize, let lowest = target.values.min(), score < lowest {
            return .ignoredBySizeGate
        }
        if let existing = sets.add[member], existing > score { return .ignoredByNewerInsert }
        if let existing = sets.remove[member], existing >= score { return .ignoredByNewerDelete }
        switch kind {
        case .insert:
            sets.remove[member] = nil
            sets.add[member] = score
            sets.add = Self.trimmed(sets.add, to: maxSize)
        case .delete:
            sets.add[member] = nil
            sets.remove[member] = score
            sets.remove = Self.trimmed(sets.remove, to: maxSize)
        }
        keys[key] = sets
        return .applied
    }

    /// The visible entries of `key`, highest first.
    func visible(_ key: [UInt8]) -> [Selection.Entry] {
        Self.descending(keys[key]?.add ?? [:])
    }

    /// The tombstones of `key`, highest first.
    func tombstones(_ key: [UInt8]) -> [Selection.Entry] {
        Self.descending(keys[key]?.remove ?? [:])
    }

    static func descending(_ set: [[UInt8]: Double]) -> [Selection.Entry] {
        set.sorted { ordersBelow($1, $0) }.map { Selection.Entry(member: $0.key, score: $0.value) }
    }

    /// (score, member) order, ascending.
    static func ordersBelow(_ a: (key: [UInt8], value: Double), _ b: (key: [UInt8], value: Double)) -> Bool {
        a.value != b.value ? a.value < b.value : a.key.lexicographicallyPrecedes(b.key)
    }

    static func trimmed(_ set: [[UInt8]: Double], to maxSize: Int) -> [[UInt8]: Double] {
        guard set.count > maxSize else { return set }
        let keep = set.sorted { ordersBelow($1, $0) }.prefix(maxSize)
        return Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
