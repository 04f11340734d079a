# The obs image for CI jobs (KubeSphere DevOps Jenkins agents, GitLab runners): obs and promtool
# (for `obs test`), run as a non-root user. Build it from a tagged checkout and push it to your
# registry; ci/gitlab-ci.yml and ci/Jenkinsfile take its name from OBS_IMAGE (docs/ci.md):
#
#   git checkout v0.1.0 && docker build -t registry.example.com/platform/obs:0.1.0 .
#
# With an internal index, pass it through: --build-arg PIP_INDEX_URL=https://pypi.example.com/simple
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ARG PIP_INDEX_URL
ARG OBS_UID=1000
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# promtool from Debian's prometheus package (bookworm: 2.42, the promtool obs's tests run with).
# Only the binary is kept: the Prometheus server and its service are not installed.
WORKDIR /tmp/prometheus
RUN set -eux; \
    apt-get update; \
    apt-get download prometheus; \
    dpkg-deb -x prometheus_*.deb root; \
    install -m 0755 root/usr/bin/promtool /usr/local/bin/promtool; \
    rm -rf /tmp/prometheus/* /var/lib/apt/lists/*; \
    promtool --version

# obs from the build context, at the versions its tests passed with (constraints.txt).
WORKDIR /tmp/obs-src
COPY pyproject.toml constraints.txt README.md ./
COPY obs ./obs
COPY rules ./rules
COPY dashboards ./dashboards
COPY manifests ./manifests
COPY ci ./ci
RUN set -eux; \
    pip install --no-cache-dir -c constraints.txt .; \
    obs --version; \
    rm -rf /tmp/obs-src/*

# uid 1000 is the Jenkins agent's: the containers of a Jenkins pod share the workspace volume.
RUN useradd --create-home --uid "${OBS_UID}" --shell /bin/sh obs
USER ${OBS_UID}
WORKDIR /work
CMD ["obs", "--help"]
