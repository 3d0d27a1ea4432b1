# helsegraf API image (used by docker-compose.yml with Neo4j; works with the embedded store too).
# Debian trixie: glibc >= 2.38, so the falkordblite wheel installs without compiling.
FROM python:3.12-slim-trixie

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /src
# The repository root is the package (pyproject.toml maps "helsegraf" to ".").
COPY . /src
RUN pip install /src \
    && useradd --create-home --uid 10001 helsegraf \
    && mkdir -p /data \
    && chown helsegraf /data

USER helsegraf
WORKDIR /home/helsegraf
ENV HELSEGRAF_HOST=0.0.0.0 \
    HELSEGRAF_PORT=8000 \
    HELSEGRAF_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status == 200 else 1)"]

CMD ["helsegraf", "serve"]
