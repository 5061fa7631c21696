// Opening a store on a PostgreSQL server: the inspection that refuses another program's or a
// newer pigmatch's database untouched, the schema history with its forward migrations, and the
// check. The tables, their checks and the rules that keep formulas immutable are SQLite's
// (store_schema.cpp), written in PostgreSQL's dialect; text sorts byte-wise (COLLATE "C") so both
// engines list records in the same order.
#include <fmt/format.h>

#include <array>

#include "store/store_internal.h"
#include "store/store_postgres.h"

namespace pigmatch::store::detail {
namespace {

// ---- the schema history (PostgreSQL's own numbering) -----------------------------------------
// Never edit a released step; a new version appends one. Store::open runs the missing ones in
// one transaction.

// Version 1: the records as SQLite's schema version 4 holds them.
constexpr const char* postgres_v1 = R"sql(
CREATE TABLE pigmatch_schema (
  application text NOT NULL CHECK (application = 'pigmatch'),
  version integer NOT NULL
);

-- Ids come from sequences; a row inserted with an id of its own (an import that keeps ids) moves
-- the sequence past it, so later rows never collide with it.
CREATE FUNCTION pigmatch_assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS NULL THEN
    NEW.id := nextval(TG_ARGV[0]::regclass);
  ELSE
    PERFORM setval(TG_ARGV[0]::regclass, greatest(NEW.id, nextval(TG_ARGV[0]::regclass)));
  END IF;
  RETURN NEW;
END $$;

-- SQLite's instr(), which the store's client search uses.
CREATE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
  AS 'SELECT strpos($1, $2)';

CREATE SEQUENCE clients_id_seq;
CREATE TABLE clients (
  id bigint PRIMARY KEY,
  name text COLLATE "C" NOT NULL CHECK (length(name) > 0),
  birth_date text COLLATE "C",
  phone text COLLATE "C",
  email text COLLATE "C",
  notes text COLLATE "C" NOT NULL DEFAULT '',
  created_at text COLLATE "C" NOT NULL
);
CREATE INDEX clients_name ON clients (lower(name));

CREATE SEQUENCE visits_id_seq;
CREATE TABLE visits (
  id bigint PRIMARY KEY,
  client_id bigint NOT NULL REFERENCES clients(id),
  kind text COLLATE "C" NOT NULL CHECK (kind IN ('initial', 'second', 'touchup', 'camouflage')),
  date text COLLATE "C" NOT NULL CHECK (date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
  area text COLLATE "C" NOT NULL DEFAULT '',
  practitioner text COLLATE "C" NOT NULL DEFAULT '',
  needle text COLLATE "C" NOT NULL DEFAULT '',
  notes text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX visits_client ON visits (client_id, date);

CREATE SEQUENCE consents_id_seq;
CREATE TABLE consents (
  id bigint PRIMARY KEY,
  client_id bigint NOT NULL REFERENCES clients(id),
  kind text COLLATE "C" NOT NULL CHECK (length(kind) > 0),
  date text COLLATE "C" NOT NULL CHECK (date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
  signed_by text COLLATE "C" NOT NULL CHECK (length(signed_by) > 0)
);
CREATE INDEX consents_client ON consents (client_id);

CREATE SEQUENCE measurements_id_seq;
CREATE TABLE measurements (
  id bigint PRIMARY KEY,
  client_id bigint NOT NULL REFERENCES clients(id),
  visit_id bigint REFERENCES visits(id),
  kind text COLLATE "C" NOT NULL CHECK (kind IN ('skin', 'hair', 'healed')),
  region text COLLATE "C" NOT NULL DEFAULT '',
  L double precision NOT NULL CHECK (L BETWEEN 0 AND 100),
  a double precision NOT NULL,
  b double precision NOT NULL,
  calibration_de00 double precision CHECK (calibration_de00 >= 0),
  photo_path text COLLATE "C",
  photo_sha256 text COLLATE "C" CHECK (photo_sha256 ~ '^[0-9a-f]{64}$'),
  taken_at text COLLATE "C" NOT NULL,
  uncertainty_de00 double precision CHECK (uncertainty_de00 >= 0)
);
CREATE INDEX measurements_client ON measurements (client_id, kind, region);
CREATE INDEX measurements_visit ON measurements (visit_id);

CREATE TABLE lots (
  vendor text COLLATE "C" NOT NULL,
  code text COLLATE "C" NOT NULL,
  lot text COLLATE "C" NOT NULL,
  expiry text COLLATE "C",
  PRIMARY KEY (vendor, code, lot)
);

CREATE SEQUENCE formulas_id_seq;
CREATE TABLE formulas (
  id bigint PRIMARY KEY,
  client_id bigint NOT NULL REFERENCES clients(id),
  visit_id bigint REFERENCES visits(id),
  replaces bigint REFERENCES formulas(id),
  region text COLLATE "C" NOT NULL DEFAULT '',
  target_L double precision NOT NULL CHECK (target_L BETWEEN 0 AND 100),
  target_a double precision NOT NULL,
  target_b double precision NOT NULL,
  model text COLLATE "C" NOT NULL,
  catalog text COLLATE "C" NOT NULL,
  predicted_L double precision NOT NULL CHECK (predicted_L BETWEEN 0 AND 100),
  predicted_a double precision NOT NULL,
  predicted_b double precision NOT NULL,
  delta_e00 double precision NOT NULL CHECK (delta_e00 >= 0),
  notes text COLLATE "C" NOT NULL DEFAULT '',
  created_at text COLLATE "C" NOT NULL
);
CREATE INDEX formulas_client ON formulas (client_id);
CREATE INDEX formulas_visit ON formulas (visit_id) WHERE visit_id IS NOT NULL;
-- A version is corrected at most once: the versions of a formula form a chain.
CREATE UNIQUE INDEX formulas_replaces ON formulas (replaces) WHERE replaces IS NOT NULL;
-- `formula search --near` reads a box of targets.
CREATE INDEX formulas_target ON formulas (target_L, target_a, target_b);

CREATE TABLE formula_components (
  formula_id bigint NOT NULL REFERENCES formulas(id),
  position integer NOT NULL,
  vendor text COLLATE "C" NOT NULL,
  code text COLLATE "C" NOT NULL,
  lot text COLLATE "C",
  drops double precision NOT NULL CHECK (drops >= 0),
  ml double precision NOT NULL CHECK (ml >= 0),
  PRIMARY KEY (formula_id, position),
  FOREIGN KEY (vendor, code, lot) REFERENCES lots(vendor, code, lot)
);
CREATE INDEX components_lot ON formula_components (lot) WHERE lot IS NOT NULL;

CREATE TRIGGER clients_id BEFORE INSERT ON clients
  FOR EACH ROW EXECUTE FUNCTION pigmatch_assign_id('clients_id_seq');
CREATE TRIGGER visits_id BEFORE INSERT ON visits
  FOR EACH ROW EXECUTE FUNCTION pigmatch_assign_id('visits_id_seq');
CREATE TRIGGER consents_id BEFORE INSERT ON consents
  FOR EACH ROW EXECUTE FUNCTION pigmatch_assign_id('consents_id_seq');
CREATE TRIGGER measurements_id BEFORE INSERT ON measurements
  FOR EACH ROW EXECUTE FUNCTION pigmatch_assign_id('measurements_id_seq');
CREATE TRIGGER formulas_id BEFORE INSERT ON formulas
  FOR EACH ROW EXECUTE FUNCTION pigmatch_assign_id('formulas_id_seq');

-- Formulas are immutable. The only way a formula leaves is with its client (the right to be
-- forgotten): erase_client() names the client here for the length of its transaction.
CREATE TABLE erasing (client_id bigint PRIMARY KEY);

CREATE FUNCTION pigmatch_formulas_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'formulas are immutable: save a correction as a new version';
END $$;
CREATE FUNCTION pigmatch_formulas_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM erasing WHERE client_id = OLD.client_id) THEN
    RAISE EXCEPTION 'formulas are never deleted, except by erasing their client';
  END IF;
  RETURN OLD;
END $$;
CREATE FUNCTION pigmatch_components_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM erasing JOIN formulas ON formulas.client_id = erasing.client_id
                 WHERE formulas.id = OLD.formula_id) THEN
    RAISE EXCEPTION 'formulas are never deleted, except by erasing their client';
  END IF;
  RETURN OLD;
END $$;
CREATE FUNCTION pigmatch_formulas_replace_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.replaces IS NOT NULL AND
     NOT EXISTS (SELECT 1 FROM formulas WHERE id = NEW.replaces AND client_id = NEW.client_id) THEN
    RAISE EXCEPTION 'a correction must replace a formula of the same client';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER formulas_immutable BEFORE UPDATE OR TRUNCATE ON formulas
  FOR EACH STATEMENT EXECUTE FUNCTION pigmatch_formulas_immutable();
CREATE TRIGGER components_immutable BEFORE UPDATE OR TRUNCATE ON formula_components
  FOR EACH STATEMENT EXECUTE FUNCTION pigmatch_formulas_immutable();
CREATE TRIGGER formulas_kept BEFORE DELETE ON formulas
  FOR EACH ROW EXECUTE FUNCTION pigmatch_formulas_kept();
CREATE TRIGGER components_kept BEFORE DELETE ON formula_components
  FOR EACH ROW EXECUTE FUNCTION pigmatch_components_kept();
CREATE TRIGGER formulas_replace_own BEFORE INSERT ON formulas
  FOR EACH ROW EXECUTE FUNCTION pigmatch_formulas_replace_own();
)sql";

// Version 2: studios (the branches of a chain) and who sees which clients, enforced by the
// server with row-level security, not by filtering in pigmatch. A practitioner's role is a member
// of pigmatch_staff and of one studio (studio_members): it sees and writes its studio's clients
// and the clients shared with its studio; only the client's own studio erases it. Members of
// pigmatch_owner see everything (lot trace across the chain). The tables' owner (whoever created
// them) is not subject to the policies: a single-room store works as before.
constexpr const char* postgres_v2 = R"sql(
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pigmatch_staff') THEN
    CREATE ROLE pigmatch_staff NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pigmatch_owner') THEN
    CREATE ROLE pigmatch_owner NOLOGIN;
  END IF;
END $$;

CREATE TABLE studios (name text COLLATE "C" PRIMARY KEY CHECK (length(name) > 0));
CREATE TABLE studio_members (
  member name PRIMARY KEY,
  studio text COLLATE "C" NOT NULL REFERENCES studios(name)
);
ALTER TABLE clients ADD COLUMN studio text COLLATE "C" REFERENCES studios(name);
CREATE INDEX clients_studio ON clients (studio);
CREATE TABLE client_shares (
  client_id bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  studio text COLLATE "C" NOT NULL REFERENCES studios(name),
  PRIMARY KEY (client_id, studio)
);

-- The studio of the role running the query (NULL for an owner or a role of no studio).
CREATE FUNCTION pigmatch_home_studio() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT studio FROM studio_members WHERE member = current_user $$;
CREATE FUNCTION pigmatch_is_owner() RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT pg_has_role(current_user, 'pigmatch_owner', 'MEMBER') $$;
-- True when the running role works for `studio` (or owns the chain).
CREATE FUNCTION pigmatch_works_for(studio text) RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT pigmatch_is_owner() OR ($1 IS NOT NULL AND $1 = pigmatch_home_studio()) $$;
ALTER TABLE clients ALTER COLUMN studio SET DEFAULT pigmatch_home_studio();

ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
CREATE POLICY clients_seen ON clients FOR SELECT USING (
  pigmatch_works_for(studio) OR
  EXISTS (SELECT 1 FROM client_shares s WHERE s.client_id = clients.id
          AND pigmatch_works_for(s.studio)));
CREATE POLICY clients_added ON clients FOR INSERT WITH CHECK (pigmatch_works_for(studio));
CREATE POLICY clients_changed ON clients FOR UPDATE USING (pigmatch_works_for(studio))
  WITH CHECK (pigmatch_works_for(studio));
CREATE POLICY clients_erased ON clients FOR DELETE USING (pigmatch_works_for(studio));

ALTER TABLE client_shares ENABLE ROW LEVEL SECURITY;
CREATE POLICY shares_seen ON client_shares FOR SELECT USING (true);
CREATE POLICY shares_added ON client_shares FOR INSERT WITH CHECK (
  EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id AND pigmatch_works_for(c.studio)));
CREATE POLICY shares_removed ON client_shares FOR DELETE USING (
  EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id AND pigmatch_works_for(c.studio)));

-- A client's rows follow the client: seen and added where the client is seen (its studio and
-- the studios it is shared with), deleted only where the client itself may be erased.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['visits', 'consents', 'measurements', 'formulas'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING '
                   '(EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id))', t || '_seen', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK '
                   '(EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id))', t || '_added', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING (EXISTS (SELECT 1 FROM clients c '
                   'WHERE c.id = client_id AND pigmatch_works_for(c.studio)))', t || '_erased', t);
  END LOOP;
END $$;
ALTER TABLE formula_components ENABLE ROW LEVEL SECURITY;
CREATE POLICY components_seen ON formula_components FOR SELECT USING (
  EXISTS (SELECT 1 FROM formulas f WHERE f.id = formula_id));
CREATE POLICY components_added ON formula_components FOR INSERT WITH CHECK (
  EXISTS (SELECT 1 FROM formulas f WHERE f.id = formula_id));
CREATE POLICY components_erased ON formula_components FOR DELETE USING (
  EXISTS (SELECT 1 FROM formulas f JOIN clients c ON c.id = f.client_id
          WHERE f.id = formula_id AND pigmatch_works_for(c.studio)));

-- Studios and their members are the owner's to change. A member also joins pigmatch_staff,
-- which holds the table rights; names are quoted by format(), never pasted.
CREATE FUNCTION pigmatch_add_member(role name, home text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO studio_members (member, studio) VALUES (role, home)
    ON CONFLICT (member) DO UPDATE SET studio = excluded.studio;
  EXECUTE format('GRANT pigmatch_staff TO %I', role);
END $$;
CREATE FUNCTION pigmatch_add_owner(role name) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT pigmatch_staff, pigmatch_owner TO %I', role);
END $$;

GRANT SELECT, INSERT, DELETE ON clients, visits, consents, measurements, formulas,
  formula_components, client_shares, erasing TO pigmatch_staff;
GRANT UPDATE ON clients TO pigmatch_staff;
GRANT SELECT, INSERT, UPDATE ON lots TO pigmatch_staff;
GRANT SELECT ON pigmatch_schema, studios, studio_members TO pigmatch_staff;
GRANT INSERT, UPDATE ON studios, studio_members TO pigmatch_owner;
GRANT USAGE, UPDATE ON clients_id_seq, visits_id_seq, consents_id_seq, measurements_id_seq,
  formulas_id_seq TO pigmatch_staff;
)sql";

// Version 3: the rules hold against a practitioner's own SQL too.
//  - Functions read tables by the schema they were created in, never a session's temporary
//    table of the same name (pg_temp comes first for tables otherwise): a role cannot give
//    itself another studio with a temporary studio_members.
//  - A formula (or a component) may be deleted only if its client (formula) is gone by the end
//    of the transaction: marking a client as being erased no longer lets a role delete single
//    formulas of a client it keeps.
constexpr const char* postgres_v3 = R"sql(
CREATE FUNCTION pigmatch_deleted_with_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM clients WHERE id = OLD.client_id) THEN
    RAISE EXCEPTION 'formulas are never deleted, except by erasing their client';
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION pigmatch_deleted_with_formula() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM formulas WHERE id = OLD.formula_id) THEN
    RAISE EXCEPTION 'formulas are never deleted, except by erasing their client';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER formulas_erased_with_client AFTER DELETE ON formulas
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pigmatch_deleted_with_client();
CREATE CONSTRAINT TRIGGER components_erased_with_formula AFTER DELETE ON formula_components
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pigmatch_deleted_with_formula();

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['pigmatch_assign_id()', 'pigmatch_formulas_immutable()',
                           'pigmatch_formulas_kept()', 'pigmatch_components_kept()',
                           'pigmatch_formulas_replace_own()', 'pigmatch_home_studio()',
                           'pigmatch_is_owner()', 'pigmatch_works_for(text)',
                           'pigmatch_add_member(name, text)', 'pigmatch_add_owner(name)',
                           'instr(text, text)', 'pigmatch_deleted_with_client()',
                           'pigmatch_deleted_with_formula()'] LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
END $$;
)sql";

constexpr std::array<const char*, 3> postgres_migrations = {postgres_v1, postgres_v2, postgres_v3};
constexpr int postgres_schema_version = static_cast<int>(postgres_migrations.size());

// The triggers that keep the records' rules; `db check` reports any that is missing.
constexpr std::array<const char*, 12> rule_triggers = {"clients_id",
                                                       "visits_id",
                                                       "consents_id",
                                                       "measurements_id",
                                                       "formulas_id",
                                                       "formulas_immutable",
                                                       "components_immutable",
                                                       "formulas_kept",
                                                       "components_kept",
                                                       "formulas_replace_own",
                                                       "formulas_erased_with_client",
                                                       "components_erased_with_formula"};

// pg_advisory_xact_lock key: "PGMT", as SQLite's application_id.
constexpr std::int64_t migration_lock = application_id;

// The schema version of the database (0: no pigmatch tables yet). Reads only.
int stored_version(PostgresConnection& db) {
  if (db.query_int("SELECT to_regclass('pigmatch_schema') IS NOT NULL") == 0) {
    if (db.query_int("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") > 0) {
      throw NotADatabaseError(
          ErrorCode::corrupt_data,
          fmt::format("{}: the database holds another program's tables, not pigmatch's; it was "
                      "not changed. Give pigmatch a database of its own (createdb)",
                      db.name()));
    }
    return 0;
  }
  const std::int64_t rows = db.query_int("SELECT count(*) FROM pigmatch_schema");
  const std::int64_t version = db.query_int("SELECT max(version) FROM pigmatch_schema");
  if (rows != 1 || version < 1) {
    throw NotADatabaseError(ErrorCode::corrupt_data,
                            fmt::format("{}: pigmatch's schema table has {} rows; it was not "
                                        "changed. Restore it from a backup (pg_restore)",
                                        db.name(), rows));
  }
  if (version > postgres_schema_version) {
    throw NewerSchemaError(
        ErrorCode::unsupported,
        fmt::format("{}: was written by a newer pigmatch (PostgreSQL schema version {}; this "
                    "pigmatch knows up to {}). Update pigmatch to use it; it was not changed",
                    db.name(), version, postgres_schema_version));
  }
  return static_cast<int>(version);
}

void migrate(PostgresConnection& db, MigrationReport& report) {
  Transaction transaction(db);
  // One migration at a time across every room: the others wait here, then find it done.
  db.exec(fmt::format("SELECT pg_advisory_xact_lock({})", migration_lock).c_str(),
          "waiting for another pigmatch's migration");
  const int version = stored_version(db);
  for (int step = version; step < postgres_schema_version; ++step) {
    db.exec(postgres_migrations[static_cast<std::size_t>(step)],
            fmt::format("migrating the schema to version {}", step + 1));
  }
  if (version < postgres_schema_version) {
    db.exec(fmt::format("DELETE FROM pigmatch_schema; INSERT INTO pigmatch_schema (application, "
                        "version) VALUES ('pigmatch', {})",
                        postgres_schema_version)
                .c_str(),
            "recording the schema version");
  }
  transaction.commit();
  report.from_version = version;
  report.to_version = postgres_schema_version;
}

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& location, const OpenOptions& options,
                                          MigrationReport& report) {
  auto db = std::make_unique<PostgresConnection>(location, options);
  const int version = stored_version(*db);
  report.from_version = report.to_version = version;
  if (version == 0 && !options.create_if_missing) {
    throw Error(ErrorCode::not_found,
                fmt::format("{}: no pigmatch records in this database yet; 'pigmatch client add' "
                            "creates them",
                            db->name()));
  }
  if (version > 0 && version < postgres_schema_version && !options.migrate) {
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: has PostgreSQL schema version {}, older than this pigmatch's {}; "
                            "run 'pigmatch db migrate'",
                            db->name(), version, postgres_schema_version));
  }
  if (version < postgres_schema_version)
    migrate(*db, report);
  return db;
}

CheckReport check_postgres(Connection& connection) {
  auto& db = static_cast<PostgresConnection&>(connection);
  CheckReport report;
  report.schema_version = stored_version(db);
  for (const char* name : rule_triggers) {
    Statement s =
        db.prepare("SELECT count(*) FROM pg_trigger WHERE tgname = ? AND NOT tgisinternal");
    s.bind(1, std::string_view(name));
    if (!s.step() || s.int64(0) != 1) {
      report.problems.push_back(
          fmt::format("the rule '{}' is missing: the schema was altered outside pigmatch", name));
    }
  }
  report.clients = db.query_int("SELECT count(*) FROM clients");
  report.visits = db.query_int("SELECT count(*) FROM visits");
  report.formulas = db.query_int("SELECT count(*) FROM formulas");
  report.measurements = db.query_int("SELECT count(*) FROM measurements");
  report.lots = db.query_int("SELECT count(*) FROM lots");
  return report;
}

}  // namespace pigmatch::store::detail
