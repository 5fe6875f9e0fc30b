"""A tiny code location for the deploy tests: one `site`-partitioned asset in the `cloudflare`
pool that sleeps and records when it ran (JSON lines in $LIMITS_LOG)."""

import json
import os
import time

import dagster as dg

site = dg.DynamicPartitionsDefinition(name="site")


@dg.asset(partitions_def=site, pool="cloudflare")
def slow_site_step(context: dg.AssetExecutionContext) -> None:
    start = time.time()
    time.sleep(float(os.environ.get("LIMITS_SLEEP", "6")))
    end = time.time()
    with open(os.environ["LIMITS_LOG"], "a") as f:
        f.write(json.dumps({"run_id": context.run_id, "partition": context.partition_key, "start": start,
                            "end": end, "pid": os.getpid()}) + "\n")


# In-process: one process per run (pools are claimed the same way as with the multiprocess
# executor), which keeps the test quick on a busy machine.
limits_job = dg.define_asset_job("limits_job", selection=[slow_site_step], partitions_def=site,
                                 executor_def=dg.in_process_executor)

defs = dg.Definitions(assets=[slow_site_step], jobs=[limits_job])
