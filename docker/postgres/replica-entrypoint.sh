#!/bin/sh
# The read replica: a copy of the primary (pg_basebackup -R writes the standby
# settings), run as a hot standby that streams the primary's changes. Arguments go to
# postgres (speeches/tests/test_replica.py starts it on a unix socket this way).
#
# The copy is made on the first start, and made again on a later start when the primary
# answers as another cluster than the one copied (its data made anew, say restored from
# a dump): a standby of the old cluster would go on answering with the old archive,
# streaming nothing. archive/db_routing.py skips such a replica meanwhile. A copy starts
# as it is when the primary does not answer, to serve reads while it is down.
set -eu
export PGPASSWORD="$REPLICATION_PASSWORD"
user="${REPLICATION_USER:-replicator}"
port="${PRIMARY_PORT:-5432}"

if [ -s "$PGDATA/PG_VERSION" ] && pg_isready -q -t 10 -h "$PRIMARY_HOST" -p "$port" -U "$user"; then
  primary=$(psql "host=$PRIMARY_HOST port=$port user=$user dbname=replication replication=true" \
    -AtX -c "IDENTIFY_SYSTEM" | cut -d'|' -f1)
  copied=$(pg_controldata "$PGDATA" | sed -n 's/^Database system identifier: *//p')
  if [ -n "$primary" ] && [ "$primary" != "$copied" ]; then
    echo "replica: this copy is of cluster $copied, the primary is cluster $primary: copying the primary again" >&2
    find "$PGDATA" -mindepth 1 -delete
  fi
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h "$PRIMARY_HOST" -p "$port" -U "$user"; do sleep 1; done
  pg_basebackup -h "$PRIMARY_HOST" -p "$port" -U "$user" -D "$PGDATA" -R -X stream -c fast
  chmod 700 "$PGDATA"
fi
exec postgres "$@"
