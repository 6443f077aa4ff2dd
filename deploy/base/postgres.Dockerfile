# PostgreSQL 17 from Debian's packages, for docker-compose.yml when no registry is reachable
# (deploy/base/build.sh). It follows the official postgres image's contract where compose uses
# it: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, data in /var/lib/postgresql/data, and
# pg_isready for the health check. Compose's default is the official postgres:17; this one replaces
# it with POSTGRES_IMAGE=localhost/conveyor-base/postgres:17 in .env.
ARG DEBIAN_IMAGE=localhost/conveyor-base/debian:trixie
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-17 tzdata \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
 && mkdir -p /var/lib/postgresql/data /run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/17/bin:$PATH PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
USER postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
