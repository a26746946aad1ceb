import Foundation

/// The XSDs of `schemas/api/` (generated from `openapi/openapi.yaml` by `scripts/xsd-from-openapi.py`),
/// shipped with the program as this target's resource bundle (beside the binary in the image).
public enum EstateSchemas {
    /// The folder holding `index.json` and one `<document>.xsd` per XML document of the API.
    public static var apiDirectory: URL? {
        Bundle.module.url(forResource: "api", withExtension: nil)
    }

    /// The folder holding the integration documents' XSDs (`schemas/integration/`), one
    /// `<system>-<document>-v<N>.xsd` per document exchanged with the group's other systems.
    public static var integrationDirectory: URL? {
        Bundle.module.url(forResource: "integration", withExtension: nil)
    }
}
