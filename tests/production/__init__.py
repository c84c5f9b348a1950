"""Tests that run the production server itself (scripts/serve.sh, granian) as real
processes on loopback ports, against the shared services of a scaled-out site."""
