"""Load benchmarks against a real uvicorn server on 127.0.0.1 (see bench/README.md)."""
