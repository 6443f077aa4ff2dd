# A Java runtime base for the Conveyor service images, from Debian packages only (no registry
# needed): built by deploy/base/build.sh on top of a debootstrapped Debian. Any image with a
# Java 21+ runtime, curl (the HEALTHCHECK) and groupadd/useradd can replace it: pass
# --build-arg RUNTIME_IMAGE=... to the service Dockerfiles (e.g. eclipse-temurin:21-jre).
ARG DEBIAN_IMAGE=localhost/conveyor-base/debian:trixie
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless curl ca-certificates tzdata \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
ENV JAVA_HOME=/usr/lib/jvm/java-21-openjdk-amd64 LANG=C.UTF-8
