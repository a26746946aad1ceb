import Foundation

extension CustomerProfile {
    /// The survivor's profile after merging `duplicate` into it: the survivor's values win, what it
    /// lacks comes from the duplicate, phones and focus are the union (the survivor's first), so no
    /// phone or fact is lost (a merge with more than ``maximumPhones`` phones is refused by the caller).
    public func merged(with duplicate: CustomerProfile) -> CustomerProfile {
        var result = self
        func fill<T>(_ keyPath: WritableKeyPath<CustomerProfile, T?>) {
            if result[keyPath: keyPath] == nil { result[keyPath: keyPath] = duplicate[keyPath: keyPath] }
        }
        let known = Set(phones.map(\.number))
        result.phones += duplicate.phones.filter { !known.contains($0.number) }
        fill(\.gender)
        fill(\.birthDate)
        if result.idNumber == nil {
            result.idType = duplicate.idType
            result.idNumber = duplicate.idNumber
        }
        fill(\.email)
        fill(\.address)
        fill(\.occupation)
        fill(\.incomeBand)
        fill(\.family)
        fill(\.habits)
        fill(\.media)
        fill(\.intentGrade)
        if result.needs == CustomerNeeds() { result.needs = duplicate.needs }
        result.focus += duplicate.focus.filter { !focus.contains($0) }
        if let other = duplicate.notes, !other.isEmpty {
            result.notes = result.notes.map { $0 == other ? $0 : $0 + "\n" + other } ?? other
        }
        return result
    }
}
