import EstateData
import EstateLogic
import Logging

/// The one place where data-layer failures become HTTP problems.
extension DataError {
    func problem(logger: Logger) -> Problem {
        switch self {
        case .unavailable(let reason):
            logger.warning("database unavailable", metadata: ["reason": .string(reason)])
            return .unavailable("The database is unavailable right now; retry shortly.", retryAfterSeconds: 2)
        case .timedOut:
            logger.warning("database statement timed out")
            return .unavailable("The database took too long to answer; retry shortly.", retryAfterSeconds: 2)
        case .unstorableText:
            // Valid JSON and valid per the contract, but text the database cannot hold: unprocessable.
            return Problem(status: .unprocessableContent, code: "unstorable-text", detail: "Text must not contain the NUL character (U+0000).")
        case .internalFailure(let reason):
            logger.error("database failure", metadata: ["reason": .string(reason)])
            return .internalError
        }
    }
}

extension OrganisationError {
    var problem: Problem {
        switch self {
        case .kindNotAllowed(let parent, let child):
            Problem(status: .unprocessableContent, code: "kind-not-allowed",
                    detail: "A \(child.rawValue) cannot be placed under a \(parent.rawValue).")
        case .moveIntoOwnSubtree:
            Problem(status: .unprocessableContent, code: "move-into-own-subtree",
                    detail: "A unit cannot move under itself or one of its descendants.")
        case .rootIsFixed:
            Problem(status: .unprocessableContent, code: "root-is-fixed",
                    detail: "The group's root unit cannot be moved or deactivated.")
        case .hasActiveChildren:
            Problem(status: .unprocessableContent, code: "has-active-children",
                    detail: "Deactivate or move the unit's active children first.")
        case .codeTaken(let code):
            Problem(status: .conflict, code: "code-taken", detail: "Another unit of the group has the code \(code).",
                    errors: [.init(field: "code", message: "is taken")])
        }
    }
}

extension IdentityError {
    var problem: Problem {
        switch self {
        case .usernameTaken(let name):
            Problem(status: .conflict, code: "username-taken", detail: "Another user of the group is called \(name).",
                    errors: [.init(field: "username", message: "is taken")])
        }
    }
}

extension DictionaryError {
    var problem: Problem {
        switch self {
        case .codeTaken(let code):
            Problem(status: .conflict, code: "code-taken", detail: "The dictionary already has the code \(code).",
                    errors: [.init(field: "code", message: "is taken")])
        }
    }
}

extension RoleError {
    var problem: Problem {
        switch self {
        case .codeTaken(let code):
            Problem(status: .conflict, code: "code-taken", detail: "The group already has a role \(code).",
                    errors: [.init(field: "code", message: "is taken")])
        case .exceedsGranter(let missing):
            Problem(status: .forbidden, code: "exceeds-granter",
                    detail: "You cannot grant a role with permissions you do not hold there: \(missing.map(\.rawValue).joined(separator: ", ")).")
        }
    }
}

extension VersionConflict {
    var problem: Problem {
        Problem(status: .preconditionFailed, code: "version-mismatch",
                detail: "The \(object) changed since you read it (now version \(current)); read it again.")
    }
}

extension InventoryError {
    var problem: Problem {
        switch self {
        case .codeTaken(let object, let field, let code):
            Problem(status: .conflict, code: "code-taken", detail: "Another \(object) of the project already has the \(field) \(code).",
                    errors: [.init(field: field, message: "is taken")])
        case .notAProject(let field):
            Problem(status: .unprocessableContent, code: "not-a-project", detail: "Inventory belongs to projects; this unit is not one.",
                    errors: [.init(field: field, message: "is not a project")])
        case .illegalTransition(_, let current, let event):
            {
                var problem = Problem(status: .conflict, code: "illegal-transition",
                                      detail: "The room is \(current.rawValue); \(event.rawValue) does not apply to it.")
                problem.currentStatus = current.rawValue
                return problem
            }()
        case .sharedLandParking:
            Problem(status: .unprocessableContent, code: "shared-land-parking",
                    detail: "A parking space on shared land belongs to all owners and cannot be released for sale.")
        case .buildingNotEmpty:
            Problem(status: .conflict, code: "building-not-empty", detail: "Delete or move the building's rooms first.")
        case .roomTaken(_, let current):
            {
                var problem = Problem(status: .conflict, code: "room-has-history",
                                      detail: "The room has been on sale or priced (now \(current.rawValue)); it can no longer be deleted.")
                problem.currentStatus = current.rawValue
                return problem
            }()
        case .priceAgreed(_, let current):
            {
                var problem = Problem(status: .conflict, code: "price-agreed",
                                      detail: "The room is \(current.rawValue); it keeps the price its deal agreed.")
                problem.currentStatus = current.rawValue
                return problem
            }()
        }
    }
}

extension QuoteError {
    var problem: Problem {
        let errors = violations.map { Problem.FieldError(field: $0.field, message: $0.message) }
        return switch self {
        case .invalidInput:
            Problem(status: .unprocessableContent, code: "quote-refused", detail: "The room's price cannot be quoted.", errors: errors)
        case .notApplicable:
            Problem(status: .unprocessableContent, code: "discount-not-applicable",
                    detail: "Some chosen discounts cannot be given for this room, payment method and time.", errors: errors)
        }
    }
}

extension DiscountError {
    var problem: Problem {
        switch self {
        case .roomNotPriced:
            Problem(status: .unprocessableContent, code: "room-not-priced", detail: "The room has no list price yet; it cannot be quoted.",
                    errors: [.init(field: "roomId", message: "has no list price")])
        }
    }
}

extension OpportunityError {
    var problem: Problem {
        switch self {
        case .illegalStageChange(let from, let to):
            {
                var problem = Problem(status: .conflict, code: "illegal-stage-change",
                                      detail: "The opportunity is \(from.rawValue); it cannot move to \(to.rawValue).")
                problem.currentStage = from.rawValue
                return problem
            }()
        case .alreadyLive(let existing):
            Problem(status: .conflict, code: "opportunity-exists",
                    detail: "The customer already has an open opportunity for this project and room"
                        + (existing.map { " (\($0.uuidString.lowercased()))" } ?? "") + "; move that one instead.")
        }
    }
}

extension TaskError {
    var problem: Problem {
        switch self {
        case .notOpen(let current):
            {
                var problem = Problem(status: .conflict, code: "task-not-open", detail: "The task is \(current.rawValue); only open tasks change.")
                problem.currentStatus = current.rawValue
                return problem
            }()
        case .dueOutOfRange(let earliest, let latest):
            Problem(status: .unprocessableContent, code: "due-date-out-of-range",
                    detail: "A task is due between today and \(TaskAgenda.furthestDueDays) days ahead, in the group's time zone.",
                    errors: [.init(field: "dueOn", message: "must be from \(earliest) to \(latest)")])
        }
    }
}

extension DealInputError {
    /// Input that breaks a deal rule (terms, deposit, buyers, areas): 400 naming each field.
    var problem: Problem { Problem.validation(violations) }
}

extension DealStepError {
    var problem: Problem {
        switch self {
        case .notAllowed(let stage, let step, let expected):
            var problem = Problem(status: .conflict, code: "illegal-step",
                                  detail: "A deal that is \(stage?.rawValue ?? "not started") cannot be given \(step.rawValue)"
                                      + (expected.isEmpty ? "; it has ended." : "; next: \(expected.map(\.rawValue).joined(separator: ", "))."))
            problem.currentStage = stage?.rawValue
            return problem
        }
    }
}

extension ChangeRequestError {
    var problem: Problem {
        var problem = Problem(status: .conflict, code: "illegal-change-request", detail: description.prefix(1).uppercased() + description.dropFirst() + ".")
        switch self {
        case .notAllowed(let from, _): problem.currentStatus = from.rawValue
        case .kindNotAllowed(_, let stage): problem.currentStage = stage.rawValue
        }
        return problem
    }
}

extension ChangeRequestDataError {
    var problem: Problem {
        switch self {
        case .openRequestExists(let kind):
            Problem(status: .conflict, code: "change-request-open",
                    detail: "The deal already has an open \(kind.rawValue) request; decide or execute that one first.")
        }
    }
}

extension DealDataError {
    var problem: Problem {
        switch self {
        case .roomTaken:
            Problem(status: .conflict, code: "room-taken", detail: "The room already has a live deal.")
        }
    }
}

extension DealStepDataError {
    var problem: Problem {
        switch self {
        case .contractNumberTaken(let number):
            Problem(status: .conflict, code: "contract-number-taken", detail: "Another deal of the project has the contract number \(number).",
                    errors: [.init(field: "contractNumber", message: "is taken")])
        }
    }
}
