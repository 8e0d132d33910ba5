# aggregator: multi-stage image. Build the wheel, install it into a venv, run as a non-root user.
# CI has no Docker engine; tests/e2e/test_packaging.py runs the same install steps instead.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# The board catalogue ships inside the package (aggregator.catalogue): the wheel needs it.
COPY sources ./sources
RUN python -m pip wheel --no-cache-dir --no-deps -w /wheels . \
 && python -m venv /opt/aggregator \
 && /opt/aggregator/bin/pip install --no-cache-dir "$(ls /wheels/aggregator-*.whl)[postgres]"

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 aggregator \
 && mkdir -p /data && chown aggregator:aggregator /data
COPY --from=build /opt/aggregator /opt/aggregator
COPY config.example.yaml /etc/aggregator/config.example.yaml
ENV PATH="/opt/aggregator/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    AGGREGATOR_CONFIG=/data/config.yaml
USER aggregator
WORKDIR /data
VOLUME ["/data"]
# Healthy while the config loads and the database opens with a current schema. A failing board
# does not count (`sources status` says which; admin alerts tell you): restarting would not fix
# it. The daemon creates an SQLite database at start, within the start period.
HEALTHCHECK --interval=5m --timeout=30s --start-period=1m --retries=3 \
    CMD ["aggregate", "db", "check"]
ENTRYPOINT ["aggregate"]
CMD ["daemon"]
