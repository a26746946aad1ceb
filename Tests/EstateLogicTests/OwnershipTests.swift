import EstateLogic
import Foundation
import Testing

@Suite("Customer ownership: protection periods, sharing, reassignment, claims")
struct OwnershipTests {
    let tree = Tree()
    let start = Date(timeIntervalSince1970: 1_750_000_000)

    func scope(_ grants: RoleGrant...) -> AccessScope {
        AccessScope(groupID: tree.group, grants: grants)
    }

    // MARK: Protection period

    @Test func periodsAreWholeDaysOf24Hours() {
        #expect(ProtectionPeriod.end(from: start, days: 1) == start.addingTimeInterval(86_400))
        #expect(ProtectionPeriod.end(from: start, days: 30) == start.addingTimeInterval(30 * 86_400))
        #expect(ProtectionPeriod.end(from: start, days: 3650) == start.addingTimeInterval(3650 * 86_400))
        #expect(ProtectionPeriod.afterOwnerChange(now: start, days: 7) == start.addingTimeInterval(7 * 86_400))
        #expect(ProtectionPeriod.inPool == nil)
        #expect(ProtectionPeriod.fallbackDays == 30)
    }

    @Test func lapseAtTheEndItselfNeverInThePoolNorWithoutAnEnd() {
        let owner = UUID()
        let end = ProtectionPeriod.end(from: start, days: 30)
        #expect(!ProtectionPeriod.hasLapsed(ownerID: owner, protectedUntil: end, now: end.addingTimeInterval(-0.001)))
        #expect(ProtectionPeriod.hasLapsed(ownerID: owner, protectedUntil: end, now: end))
        #expect(ProtectionPeriod.hasLapsed(ownerID: owner, protectedUntil: end, now: end.addingTimeInterval(1)))
        // Pooled customers have nobody to lose them; customers without an end are never lost.
        #expect(!ProtectionPeriod.hasLapsed(ownerID: nil, protectedUntil: end, now: end.addingTimeInterval(86_400)))
        #expect(!ProtectionPeriod.hasLapsed(ownerID: owner, protectedUntil: nil, now: end.addingTimeInterval(86_400)))
    }

    @Test func daysFromOneToTenYears() {
        for days in [1, 2, 30, 365, 3649, 3650] { #expect(ProtectionPeriod.violations(days: days).isEmpty, "\(days)") }
        for days in [Int.min, -1, 0, 3651, 100_000] {
            #expect(ProtectionPeriod.violations(days: days) == [FieldViolation(field: "days", message: "must be a whole number from 1 to 3650")])
        }
    }

    @Test func sourcesAreTheDefaultOrDictionaryCodes() {
        for source in ["*", "walk_in", "agency", "a", "owner_referral", "x9", String(repeating: "a", count: 63)] {
            #expect(ProtectionPeriod.isWellFormedSource(source), "\(source)")
        }
        for source in ["", "**", "Walk_in", "walk-in", "walk in", "é", "*a", String(repeating: "a", count: 64), "a\u{0}"] {
            #expect(!ProtectionPeriod.isWellFormedSource(source), "\(source)")
        }
    }

    // MARK: Sharing

    @Test func sharingNeedsAnActiveCustomerReaderWhoIsNotTheOwner() {
        let owner = UUID(), colleague = UUID()
        let consultant = scope(RoleGrant(BuiltInRoles.propertyConsultant, at: tree.lakeside))
        let controller = scope(RoleGrant(BuiltInRoles.salesController, at: tree.riverside))
        #expect(CustomerSharing.refusal(userID: colleague, ownerID: owner, user: (true, consultant)) == nil)
        // A reader elsewhere in the group may be given a customer of another project.
        #expect(CustomerSharing.refusal(userID: colleague, ownerID: nil, user: (true, consultant)) == nil)
        #expect(CustomerSharing.refusal(userID: owner, ownerID: owner, user: (true, consultant)) == .owner)
        #expect(CustomerSharing.refusal(userID: colleague, ownerID: owner, user: nil) == .notAnActiveUser)
        #expect(CustomerSharing.refusal(userID: colleague, ownerID: owner, user: (false, consultant)) == .notAnActiveUser)
        #expect(CustomerSharing.refusal(userID: colleague, ownerID: owner, user: (true, controller)) == .readsNoCustomers)
        #expect(CustomerSharing.refusal(userID: colleague, ownerID: owner, user: (true, scope())) == .readsNoCustomers)
    }

    @Test func aReadOnlyShareReadsACollaboratorAlsoWritesNeitherShares() {
        let owner = UUID(), colleague = UUID()
        let consultant = scope(RoleGrant(BuiltInRoles.propertyConsultant, at: tree.riverside))
        func rights(_ share: ShareAccess?) -> Set<CustomerRight> {
            consultant.customerRights(groupID: tree.group, projectPath: tree.riversidePath, userID: colleague, ownerID: owner, share: share)
        }
        #expect(rights(nil).isEmpty)
        #expect(rights(.read) == [.read])
        #expect(rights(.write) == [.read, .write])
        // A consultant of another city given a share reads (and as collaborator writes) beyond their project.
        let far = scope(RoleGrant(BuiltInRoles.propertyConsultant, at: tree.lakeside))
        #expect(far.customerRights(groupID: tree.group, projectPath: tree.riversidePath, userID: colleague, ownerID: owner, share: .read) == [.read])
        #expect(far.customerRights(groupID: tree.group, projectPath: tree.riversidePath, userID: colleague, ownerID: owner, share: .write) == [.read, .write])
        #expect(far.customerRights(groupID: tree.group, projectPath: tree.riversidePath, userID: colleague, ownerID: owner, share: nil).isEmpty)
    }

    // MARK: Reassignment

    @Test func aRequestNamesOneTo500DistinctCustomersWithAReason() {
        let ids = (0..<3).map { _ in UUID() }
        #expect(Reassignment.violations(customerIDs: ids, reason: "consultant left").isEmpty)
        #expect(Reassignment.violations(customerIDs: [UUID()], reason: " handed over \n to the new team ").isEmpty)
        #expect(Reassignment.violations(customerIDs: (0..<500).map { _ in UUID() }, reason: "r").isEmpty)
        #expect(Reassignment.violations(customerIDs: [], reason: "r").map(\.field) == ["customerIds"])
        #expect(Reassignment.violations(customerIDs: (0..<501).map { _ in UUID() }, reason: "r").map(\.field) == ["customerIds"])
        // Every repetition is named by its index; all problems at once.
        #expect(Reassignment.violations(customerIDs: [ids[0], ids[1], ids[0], ids[2], ids[1]], reason: nil).map(\.field)
                == ["customerIds[2]", "customerIds[4]", "reason"])
        for reason in [nil, "", "   ", "\n\t"] {
            #expect(Reassignment.violations(customerIDs: ids, reason: reason).map(\.message) == ["is required"], "\(String(describing: reason))")
        }
        #expect(Reassignment.violations(customerIDs: ids, reason: String(repeating: "x", count: 500)).isEmpty)
        #expect(Reassignment.violations(customerIDs: ids, reason: String(repeating: "x", count: 501)).map(\.field) == ["reason"])
        #expect(Reassignment.violations(customerIDs: ids, reason: "bad\u{7}bell").map(\.field) == ["reason"])
    }

    @Test func ownersAreActiveWritersAtTheTargetProject() {
        let consultant = scope(RoleGrant(BuiltInRoles.propertyConsultant, at: tree.riverside))
        let cityManager = scope(RoleGrant(BuiltInRoles.citySalesManagement, at: tree.shanghai))
        let cashier = scope(RoleGrant(BuiltInRoles.cashier, at: tree.riverside))
        #expect(Reassignment.canOwn(active: true, scope: consultant, groupID: tree.group, projectPath: tree.riversidePath))
        #expect(!Reassignment.canOwn(active: false, scope: consultant, groupID: tree.group, projectPath: tree.riversidePath))
        #expect(!Reassignment.canOwn(active: true, scope: consultant, groupID: tree.group, projectPath: tree.parkviewPath))
        #expect(!Reassignment.canOwn(active: true, scope: consultant, groupID: UUID(), projectPath: tree.riversidePath))
        #expect(!Reassignment.canOwn(active: true, scope: cashier, groupID: tree.group, projectPath: tree.riversidePath))
        #expect(Reassignment.canOwn(active: true, scope: cityManager, groupID: tree.group, projectPath: tree.parkviewPath))
        #expect(!Reassignment.canOwn(active: true, scope: cityManager, groupID: tree.group, projectPath: tree.lakesidePath))
    }

    @Test func aCustomerAlreadyWhereItGoesIsLeftAlone() {
        let alice = UUID(), bob = UUID()
        let atRiverside = CustomerPlacement(ownerID: alice, projectID: tree.riverside)
        #expect(Reassignment.target(from: atRiverside, ownerID: alice, projectID: nil) == nil)
        #expect(Reassignment.target(from: atRiverside, ownerID: alice, projectID: tree.riverside) == nil)
        #expect(Reassignment.target(from: atRiverside, ownerID: bob, projectID: nil) == CustomerPlacement(ownerID: bob, projectID: tree.riverside))
        #expect(Reassignment.target(from: atRiverside, ownerID: alice, projectID: tree.parkview)
                == CustomerPlacement(ownerID: alice, projectID: tree.parkview))
        #expect(Reassignment.target(from: atRiverside, ownerID: bob, projectID: tree.parkview) == CustomerPlacement(ownerID: bob, projectID: tree.parkview))
        // A pooled customer given to someone leaves the pool.
        let pooled = CustomerPlacement(ownerID: nil, projectID: tree.riverside)
        #expect(Reassignment.target(from: pooled, ownerID: alice, projectID: nil) == CustomerPlacement(ownerID: alice, projectID: tree.riverside))
    }

    @Test func onlyManagersReassign() {
        let owner = UUID()
        func manages(_ s: AccessScope, _ path: [UUID]) -> Bool {
            s.customerRights(groupID: tree.group, projectPath: path, userID: owner, ownerID: owner, share: nil).contains(.manage)
        }
        // The owner shares but does not reassign; the sales manager and the city's sales management do, within their reach.
        #expect(!manages(scope(RoleGrant(BuiltInRoles.propertyConsultant, at: tree.riverside)), tree.riversidePath))
        #expect(manages(scope(RoleGrant(BuiltInRoles.salesManager, at: tree.riverside)), tree.riversidePath))
        #expect(!manages(scope(RoleGrant(BuiltInRoles.salesManager, at: tree.riverside)), tree.parkviewPath))
        #expect(manages(scope(RoleGrant(BuiltInRoles.citySalesManagement, at: tree.shanghai)), tree.parkviewPath))
        #expect(!manages(scope(RoleGrant(BuiltInRoles.citySalesManagement, at: tree.shanghai)), tree.lakesidePath))
        #expect(!manages(scope(RoleGrant(BuiltInRoles.groupManagement, at: tree.root)), tree.riversidePath))
    }

    // MARK: Claims

    @Test func onlyPooledCustomersAreClaimed() {
        #expect(PoolClaim.refusal(ownerID: nil) == nil)
        #expect(PoolClaim.refusal(ownerID: UUID()) == .notInPool)
    }
}
