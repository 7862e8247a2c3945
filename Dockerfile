# aimeter in a container (docs/packaging.md): the command and the Python module, measuring
# what runs in the container, NVIDIA GPUs included through the NVIDIA Container Toolkit.
#
#   docker build -t aimeter .
#   docker run --rm --gpus all -v aimeter-runs:/data aimeter run -- python3 train.py
#
# Two stages. The build stage runs bootstrap.sh as it is, the steps of a fresh clone (its
# Debian packages, npm ci for web/, meson setup, ninja, the example measured), then builds
# the Debian packages from the same tree (debian/). The runtime stage installs those
# packages on a slim Debian: apt brings exactly the runtime libraries they depend on, no
# compiler, no -dev package, no Node.js.
#
# Not built in this project's CI: no image registry is reachable from its machines (the
# Debian base image cannot be pulled). tests/e2e/test_debian.py builds, lints and runs the
# same packages.

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
WORKDIR /src/aimeter
COPY . .
# the steps of a fresh clone, unchanged (they also measure examples/mlp-train: the build works)
RUN ./bootstrap.sh
# the packages' own build tools (debian/control's Build-Depends beyond bootstrap.sh's)
RUN apt-get install -y -q --no-install-recommends debhelper dh-python chrpath bash-completion \
    && dpkg-buildpackage -us -uc -b \
    && mkdir /debs && mv ../*.deb /debs/ && rm -f /debs/*-dbgsym_*.deb

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
COPY --from=build /debs /tmp/debs
# Recommends included: libcurl (live grid intensity providers) and PLplot's cairo driver
# (aimeter plot) are loaded at run time, not linked.
RUN apt-get update -q \
    && apt-get install -y -q /tmp/debs/libaimeter0_*.deb /tmp/debs/aimeter_*.deb \
       /tmp/debs/python3-aimeter_*.deb \
    && rm -rf /tmp/debs /var/lib/apt/lists/*
# The NVIDIA Container Toolkit reads these: every GPU, with NVML (utility) and CUDA (compute)
# mounted from the host's driver. `docker run --gpus all` sets them too.
ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility
# The store on a volume, kept between runs.
ENV AIMETER_DB=/data/aimeter.db
VOLUME /data
ENTRYPOINT ["aimeter"]
CMD ["--help"]
