"""Celery settings of the run workers (`celery -A dagster_celery.app worker`), from the environment.

dagster_celery.app imports a module named `dagster_celery_config` when one is importable; the
worker service puts this directory on PYTHONPATH. The same URLs configure CeleryRunLauncher in
deploy/dagster.celery.yaml, so the daemon and the workers meet on one queue.
"""

import os

broker_url = os.environ["DAGSTER_CELERY_BROKER_URL"]
result_backend = os.environ.get("DAGSTER_CELERY_BACKEND_URL") or broker_url
# One run per worker process at a time; a run's task is acknowledged only when it ends, so a
# worker that dies hands the run back (run monitoring and run retries take it from there).
worker_prefetch_multiplier = 1
task_acks_late = True
task_reject_on_worker_lost = True
broker_connection_retry_on_startup = True
