"""Website Factory core: configuration, the system of record, domain rules and the operator CLI.

Dagster objects live in the card's layer folders (factory_assets/, resources/, sensors/,
schedules/); this package holds the plain code they, the Hub API and the CLI share.
"""

import warnings

# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); it picks /tmp itself.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
