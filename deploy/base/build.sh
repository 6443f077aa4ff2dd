#!/usr/bin/env bash
# Builds the base images from Debian packages, for machines that reach deb.debian.org but no image
# registry:
#   localhost/conveyor-base/debian:trixie    debootstrap --variant=minbase, imported
#   localhost/conveyor-base/jre:21           + openjdk-21-jre-headless, curl  (jre.Dockerfile)
#   localhost/conveyor-base/postgres:17      + postgresql-17                  (postgres.Dockerfile)
# An image that exists already is kept (FORCE=1 rebuilds). Needs root (debootstrap) and podman or
# docker (ENGINE=...). DEBIAN_MIRROR and DEBIAN_SUITE select the packages.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
engine=${ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}
suite=${DEBIAN_SUITE:-trixie}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
debian_image=localhost/conveyor-base/debian:$suite
format=()
[ "$engine" = podman ] && format=(--format docker)

have() { [ "${FORCE:-0}" != 1 ] && "$engine" image inspect "$1" >/dev/null 2>&1; }

if ! have "$debian_image"; then
  command -v debootstrap >/dev/null || { echo "debootstrap is needed (apt-get install debootstrap)" >&2; exit 1; }
  rootfs=$(mktemp -d /var/tmp/conveyor-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  echo "debootstrap $suite from $mirror (a minute or two)"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$rootfs" "$mirror" >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$engine" import --change 'CMD ["/bin/bash"]' - "$debian_image" >/dev/null
  echo "built $debian_image"
fi

for image in jre:21 postgres:17; do
  name=localhost/conveyor-base/$image
  if ! have "$name"; then
    "$engine" build "${format[@]}" --network host --build-arg DEBIAN_IMAGE="$debian_image" \
      -t "$name" -f "$here/${image%%:*}.Dockerfile" "$here" >/dev/null
    echo "built $name"
  fi
done
