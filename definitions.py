"""The Dagster code location: one Definitions object, assembled from the layer folders."""

import dagster as dg

from factory import logs
from resources.store import StoreResource

logs.configure()

defs = dg.Definitions(
    resources={"store": StoreResource()},
)
