"""Helpers of the alertmanager target: secret references, receivers, the route tree."""
