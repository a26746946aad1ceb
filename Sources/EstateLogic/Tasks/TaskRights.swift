import Foundation

/// What a caller may do with one task.
public enum TaskRight: Sendable, Hashable, CaseIterable {
    /// See it and its history.
    case read
    /// Mark it done.
    case complete
    /// Move it to another day or cancel it.
    case steer
    /// Give it to another user.
    case reassign
}

extension AccessScope {
    /// The caller's rights on a task: `userID` is the caller (nil for an API key).
    ///
    /// - The assignee, the task's creator and whoever holds `tasks.assign` over the assignee's unit
    ///   (their manager) see it and may complete it; nobody else sees it (404).
    /// - The manager and the creator may reschedule or cancel it; the assignee too, when the task is
    ///   their own or generated (nobody made it), but not when a manager gave it to them.
    /// - Only the manager reassigns it.
    public func taskRights(_ task: WorkTask, userID: UUID?) -> Set<TaskRight> {
        guard task.groupID == groupID else { return [] }
        let manages = decide(.tasksAssign, groupID: task.groupID, unitPath: task.assigneeUnitPath) == .allowed
        let isAssignee = userID != nil && userID == task.assigneeID
        let isCreator = userID != nil && userID == task.createdBy
        guard manages || isAssignee || isCreator else { return [] }
        var rights: Set<TaskRight> = [.read, .complete]
        if manages || isCreator || (isAssignee && task.createdBy == nil) { rights.insert(.steer) }
        if manages { rights.insert(.reassign) }
        return rights
    }
}
