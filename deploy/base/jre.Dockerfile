# A Java runtime base for the Conveyor service images, from Debian packages only (no registry
# needed): built by deploy/base/build.sh on top of a debootstrapped Debian. The offline stand-in
# for the default eclipse-temurin:21-jre: pass --build-arg RUNTIME_IMAGE=localhost/conveyor-base/jre:21
# to the service Dockerfiles (compose: CONVEYOR_RUNTIME_IMAGE in .env).
ARG DEBIAN_IMAGE=localhost/conveyor-base/debian:trixie
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless curl ca-certificates tzdata \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
ENV JAVA_HOME=/usr/lib/jvm/java-21-openjdk-amd64 LANG=C.UTF-8
