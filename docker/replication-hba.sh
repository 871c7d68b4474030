#!/bin/sh
# First start of the primary: the replica service (profile "replica") may
# stream from it with the database user's password.
echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
