"""Quality of built sites before they go live: the Lighthouse gate, near-duplicate content across
the fleet, and home-page screenshots for the preview (see docs/quality.md)."""
