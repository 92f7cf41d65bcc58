# Cap Partagé — production image: slim Python, non-root, data on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////app/data/cap-partage.db

WORKDIR /app
# Pango and HarfBuzz for WeasyPrint (PDF exports), Cairo for CairoSVG (maps as images in DOCX/ODT),
# and a font with French glyphs.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 cap && mkdir -p /app/data && chown cap:cap /app/data

COPY pyproject.toml requirements.lock README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY sessions ./sessions
COPY examples ./examples
RUN pip install -c requirements.lock . && pybabel -q compile -d app/locales

USER cap
VOLUME ["/app/data"]
EXPOSE 8000

# Migrate, then serve. Behind a TLS proxy set BASE_URL=https://..., COOKIE_SECURE=true and
# TRUSTED_PROXIES=<the proxy's address>: X-Forwarded-For is believed from it alone (the app reads
# it, uvicorn does not). WebSocket messages over 64 KiB are refused from their header (1009).
CMD ["sh", "-c", "python -m app migrate && exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port 8000 --ws websockets-sansio --ws-per-message-deflate false --ws-max-size 65536 --no-proxy-headers"]
