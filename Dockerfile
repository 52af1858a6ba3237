# paragon-emulator container image.
#
#   docker build -t paragon-emulator .
#   docker run --rm -p 8080:8080 paragon-emulator
#
# Serves the emulator with its embedded defaults on 0.0.0.0:8080. Every setting is an
# environment variable PARAGON_EMULATOR_<NAME> (see README.md), e.g.
#   docker run --rm -p 8080:8080 -e PARAGON_EMULATOR_CLOCK_MODE=manual paragon-emulator
# Scenario files (and PEM public keys for PARAGON_EMULATOR_PUBLIC_KEYS) can be mounted read-only
# at /scenarios (nothing is written there, so the image declares no volume):
#   docker run --rm -p 8080:8080 -v "$PWD/scenarios:/scenarios:ro" paragon-emulator
#
# BASE picks the Python image of both stages; it must provide python3 with venv and pip. For a
# reproducible build pin it by digest where a registry can be reached:
#   docker build --build-arg BASE=python:3.11-slim@sha256:<digest> .
# (`docker buildx imagetools inspect python:3.11-slim` prints the digest). VERSION and REVISION
# only fill the OCI labels: --build-arg VERSION=$(paragon-emulator --version | cut -d' ' -f2).
ARG BASE=python:3.11-slim
ARG VERSION=""
ARG REVISION=""

# ---------------------------------------------------------------- build stage
FROM ${BASE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python3 -m venv /opt/venv
WORKDIR /src

# Dependencies first, from pyproject.toml and the lock alone, so that a source change reuses this
# layer: the versions requirements.lock pins (the ones CI tests), for a reproducible image.
COPY pyproject.toml requirements.lock ./
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && /opt/venv/bin/pip install --no-cache-dir -c requirements.lock -r /tmp/requirements.txt

# Then the package itself, as a wheel (no editable install, no source tree in the image). setup.py
# ships the top-level fixtures/ (bundled scenarios) and contract_tests/ inside the package.
COPY README.md LICENSE setup.py ./
COPY emulator ./emulator
COPY fixtures ./fixtures
COPY contract_tests ./contract_tests
RUN /opt/venv/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels . \
 && /opt/venv/bin/pip install --no-cache-dir --no-deps /tmp/wheels/*.whl \
 && /opt/venv/bin/python -c "from paragon_emulator.spec.validation import spec_dict; from paragon_emulator.nango import spec; \
from paragon_emulator.sources.base import vocabulary; spec_dict(); spec.spec_dict(); vocabulary(0)"
# (That last command writes into the package's __pycache__/ the JSON copies of the two specs, so
# the server never parses YAML (spec/prebuilt.py), and the default seed's faker vocabulary, so
# the first sync does not draw it (both kept by made_once.py); tests/container checks they are
# there. The requirements above bring uvicorn's fast stack, httptools and uvloop, and orjson: the
# image serves as `serve` does on a developer's machine.)
# pip (and setuptools/wheel where the venv has them) are not needed at run time.
RUN /opt/venv/bin/python -m pip uninstall --yes pip setuptools wheel

# ---------------------------------------------------------------- final stage
FROM ${BASE}
ARG BASE
ARG VERSION
ARG REVISION

LABEL org.opencontainers.image.title="paragon-emulator" \
      org.opencontainers.image.description="Local emulator of Paragon's Managed Sync API (Sync API and Permissions API)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${BASE}" \
      io.paragon-emulator.scenarios="/scenarios"

# An unprivileged user with fixed ids (runAsNonRoot-friendly), and the scenario mount point.
RUN groupadd --gid 10001 emulator \
 && useradd --no-log-init --uid 10001 --gid emulator --home-dir /home/emulator --create-home \
            --shell /usr/sbin/nologin emulator \
 && mkdir -p /scenarios \
 && chown emulator:emulator /scenarios

# Only the virtual environment comes over from the build stage: no compilers, wheels or caches.
COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PARAGON_EMULATOR_HOST=0.0.0.0 \
    PARAGON_EMULATOR_PORT=8080

WORKDIR /home/emulator
USER 10001:10001
EXPOSE 8080

# No curl in the image: the check uses Python's standard library, ignores any proxy variables,
# and follows PARAGON_EMULATOR_PORT if it is changed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:%s/_emulator/health' % os.environ.get('PARAGON_EMULATOR_PORT', '8080'), timeout=2).read()"]

# Exec form: uvicorn is PID 1 and receives SIGTERM itself, finishes in-flight requests and exits.
STOPSIGNAL SIGTERM
CMD ["paragon-emulator", "serve"]
