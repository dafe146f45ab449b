import Frames
import LWWSet

extension Selection {
    /// Calls `append` with each entry's member bytes and score, highest first, stopping at
    /// the first error (a full response buffer).
    func forEachRecord(_ append: (UnsafeRawBufferPointer, Double) throws(TimelineCodecError) -> Void) throws(TimelineCodecError) {
        for entry in self {
            try entry.member.withUnsafeBytes { member in
                Result { () throws(TimelineCodecError) in try append(member, entry.score) }
            }.get()
        }
    }
}
