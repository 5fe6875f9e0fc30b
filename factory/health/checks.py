"""The check kinds a sweep records, and how a problem's cause is written (without the site's name,
so that sites sharing a cause are grouped into one alert)."""

from __future__ import annotations

import re

from factory.layers import LAYERS

DRIFT = tuple(f"drift.{layer}" for layer in LAYERS)  # a non-empty plan on a converged layer
NAMESERVERS = "nameservers"  # the registrar delegates elsewhere than the site's zone (dns.NAMESERVERS_CHECK)
DOC_ROOT = "doc_root"  # the CloudPanel site is there but its doc root is gone (nothing is served)
VERIFICATION_TXT = "verification_txt"  # Google's verification TXT record is gone from the zone
UNOBSERVED = "unobserved"  # a converged layer could not be observed (vendor down, credential revoked)
STEP_FAILED = "step_failed"
HTTPS = "https"  # the page answers 200 over HTTPS
CANONICAL = "canonical"  # ... with the expected canonical URL
MATOMO_SNIPPET = "matomo_snippet"  # ... and the site's Matomo snippet
REDIRECT = "redirect"  # http:// answers with a redirect to https://
CERTIFICATE = "certificate"  # valid, and not within FACTORY_HEALTH_CERT_WARN_DAYS of expiry
DOMAIN_EXPIRY = "domain_expiry"  # registration not within FACTORY_HEALTH_DOMAIN_WARN_DAYS of expiry
AUTO_RENEW = "auto_renew"  # auto-renew on at the registrar

PROBES = (HTTPS, CANONICAL, MATOMO_SNIPPET, REDIRECT, CERTIFICATE)
REGISTRATION = (DOMAIN_EXPIRY, AUTO_RENEW)
KINDS = (*DRIFT, NAMESERVERS, DOC_ROOT, VERIFICATION_TXT, UNOBSERVED, STEP_FAILED, *PROBES, *REGISTRATION)
# What a repair (re-applying the plan) can fix.
REPAIRABLE = (*DRIFT, NAMESERVERS, DOC_ROOT, VERIFICATION_TXT)
# The drift kinds that are not named after their layer: the layer whose plan finds (and repairs) them.
LAYER_OF = {NAMESERVERS: "dns", DOC_ROOT: "hosting", VERIFICATION_TXT: "search_console"}


def layer_of(kind: str) -> str:
    """The layer a repairable kind re-applies: drift.dns -> dns, doc_root -> hosting."""
    return LAYER_OF.get(kind) or kind.split(".", 1)[1]


def family(kind: str) -> str:
    """drift.dns -> drift; https -> https."""
    return kind.split(".", 1)[0]


def generic(text: str, domain: str) -> str:
    """The text with the site's name (and so its www) replaced: what many sites with the same
    problem have in common."""
    return re.sub(re.escape(domain), "<site>", text or "", flags=re.IGNORECASE)
