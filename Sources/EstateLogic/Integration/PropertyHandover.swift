import Foundation

/// Which deals property management takes over (the property-handovers export): those whose room
/// was handed over to property management — the `hand_over_to_property_management` step, stage
/// `property_handed_over` or any stage after it on the path (title and mortgage registration,
/// completed). Keys handed over to the buyer alone do not count: the room becomes the property
/// manager's with its own step, which follows the keys; the keys' date is given beside it.
public enum PropertyHandover {
    /// The step that hands the room to property management.
    public static let step = DealStep.handOverToPropertyManagement

    /// The stages of a deal whose room property management has taken over.
    public static let stages: [DealStage] = {
        let all = DealStage.allCases
        let first = all.firstIndex(of: step.stage)!
        return all.enumerated().filter { $0.offset >= first && $0.element.holdsRoom }.map(\.element)
    }()

    /// The dated steps the export shows, in order: keys, handover to property management, title.
    public static let datedSteps: [DealStep] = [.handOverKeys, .handOverToPropertyManagement, .registerTitle]
}
