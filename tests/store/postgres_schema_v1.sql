-- pigmatch's PostgreSQL schema version 1, frozen as released (libcore/src/store_postgres_schema.cpp
-- postgres_v1): the store tests build a version-1 database from it and check the migration.
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
