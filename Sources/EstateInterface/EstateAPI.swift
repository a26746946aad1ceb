import EstateData
import Hummingbird
import Logging
import ServiceLifecycle

/// HTTP settings of the API.
public struct HTTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int
    /// How often expired holds are returned to available.
    public var holdSweepInterval: Duration
    /// How often customers whose protection period lapsed are moved to their project's public pool.
    public var protectionSweepInterval: Duration
    /// How often reserved deals whose reservation ended are cancelled and their rooms returned to available.
    public var reservationSweepInterval: Duration
    /// How many rendered building grids to keep (0: render every request).
    public var gridCacheEntries: Int
    /// The webhook relay (delivers the event outbox to partners' webhooks).
    public var webhookRelay: WebhookRelaySettings

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20,
                holdSweepInterval: Duration = .seconds(30), protectionSweepInterval: Duration = .seconds(300),
                reservationSweepInterval: Duration = .seconds(30), gridCacheEntries: Int = 256,
                webhookRelay: WebhookRelaySettings = WebhookRelaySettings()) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.holdSweepInterval = holdSweepInterval
        self.protectionSweepInterval = protectionSweepInterval
        self.reservationSweepInterval = reservationSweepInterval
        self.gridCacheEntries = gridCacheEntries
        self.webhookRelay = webhookRelay
    }
}

/// Builds the Estate HTTP API: every route, the middleware chain, the application.
public struct EstateAPI: Sendable {
    public let database: Database
    public let metrics: HTTPMetrics
    public let configuration: HTTPConfiguration
    public let authentication: AuthenticationSettings
    public let loginGuard: LoginGuard
    /// Rendered building grids (see ``GridCache``); one per API, shared by its routes.
    let gridCache: GridCache

    public init(database: Database, configuration: HTTPConfiguration, metrics: HTTPMetrics = HTTPMetrics(),
                authentication: AuthenticationSettings = AuthenticationSettings(), loginGuard: LoginGuard = LoginGuard()) {
        self.database = database
        self.configuration = configuration
        self.metrics = metrics
        self.authentication = authentication
        self.loginGuard = loginGuard
        self.gridCache = GridCache(capacity: configuration.gridCacheEntries)
    }

    /// Every route of the API, each with its declared access.
    public var routes: RouteTable {
        var routes = RouteTable()
        HealthController(database: database, metrics: metrics).register(in: &routes)
        AuthController(database: database, settings: authentication, throttle: loginGuard).register(in: &routes)
        let organisation = OrgUnitController(database: database)
        organisation.register(in: &routes)
        UserController(database: database, settings: authentication, organisation: organisation).register(in: &routes)
        APIKeyController(database: database, organisation: organisation).register(in: &routes)
        RoleController(database: database, organisation: organisation).register(in: &routes)
        AuditController(database: database).register(in: &routes)
        DictionaryController(database: database).register(in: &routes)
        BuildingController(database: database).register(in: &routes)
        SalesControlController(database: database).register(in: &routes)
        GridController(database: database, cache: gridCache).register(in: &routes)
        PricingController(database: database).register(in: &routes)
        BulkInventoryController(database: database).register(in: &routes)
        DiscountController(database: database).register(in: &routes)
        CustomerController(database: database).register(in: &routes)
        DuplicateRuleController(database: database).register(in: &routes)
        CustomerImportController(database: database).register(in: &routes)
        OpportunityController(database: database).register(in: &routes)
        TaskController(database: database).register(in: &routes)
        CustomerOwnershipController(database: database).register(in: &routes)
        QuestionnaireController(database: database).register(in: &routes)
        DealController(database: database).register(in: &routes)
        WebhookController(database: database).register(in: &routes)
        CollectionController(database: database).register(in: &routes)
        InvoiceController(database: database).register(in: &routes)
        ExchangeRateController(database: database).register(in: &routes)
        CollectionReportController(database: database).register(in: &routes)
        ChangeRequestController(database: database).register(in: &routes)
        DealStepController(database: database).register(in: &routes)
        IntegrationExportController(database: database).register(in: &routes)
        OAApprovalResultsController(database: database).register(in: &routes)
        PropertyStatusImportController(database: database).register(in: &routes)
        return routes
    }

    /// The router with the middleware chain: request id → observation → problems → routes.
    /// `routes` defaults to ``routes``; tests pass a table with extra routes.
    public func makeRouter(routes: RouteTable? = nil) -> Router<EstateRequestContext> {
        let routes = routes ?? self.routes
        let router = Router(context: EstateRequestContext.self)
        router.add(middleware: ContextSetupMiddleware(maxBodyBytes: configuration.maxBodyBytes))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ObservationMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(routes: routes))
        let database = self.database
        routes.register(on: router) { token in try await database.authenticate(token: token) }
        return router
    }

    /// The application, with the database pool and the background services (hold expiry, protection lapse,
    /// reservation expiry, the webhook relay when enabled) as services; SIGTERM drains requests, stops the
    /// background services (the relay finishes the deliveries it is sending), then closes the pool.
    public func makeApplication(logger: Logger) -> some ApplicationProtocol {
        var services: [any Service] = [
            database, HoldExpiryService(database: database, interval: configuration.holdSweepInterval, logger: logger),
            ProtectionLapseService(database: database, interval: configuration.protectionSweepInterval, logger: logger),
            ReservationExpiryService(database: database, interval: configuration.reservationSweepInterval, logger: logger),
        ]
        if configuration.webhookRelay.enabled {
            services.append(WebhookRelay(database: database, settings: configuration.webhookRelay, logger: logger))
        }
        return Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "estate"),
            services: services,
            logger: logger)
    }
}

/// Puts configuration into each request's context.
struct ContextSetupMiddleware: RouterMiddleware {
    typealias Context = EstateRequestContext
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxBodyBytes = maxBodyBytes
        return try await next(request, context)
    }
}
