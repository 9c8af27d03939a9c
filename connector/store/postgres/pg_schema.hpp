// Internal to connector/store/postgres: the schema and its versioned migrations.
#pragma once

#include "connector/common/status.hpp"
#include "connector/store/postgres/pg_conn.hpp"

namespace mangfold::store::pg {

int latest_schema_version();

// Applies every migration newer than the database's, each in its own transaction, under a
// session advisory lock: a second instance starting at the same time waits, then finds
// them applied. kFailedPrecondition when the database is newer than this binary.
Status migrate(Conn& conn);

}  // namespace mangfold::store::pg
