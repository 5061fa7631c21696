-- The schema as pigmatch wrote it at version 1 (PRAGMA user_version = 1). Frozen: the
-- migration tests build version-1 files from this text, never from the current code.
CREATE TABLE clients (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  birth_date TEXT,
  phone TEXT,
  email TEXT,
  notes TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX clients_name ON clients(name COLLATE NOCASE);

CREATE TABLE visits (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL CHECK (kind IN ('initial', 'second', 'touchup', 'camouflage')),
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  area TEXT NOT NULL DEFAULT '',
  practitioner TEXT NOT NULL DEFAULT '',
  needle TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX visits_client ON visits(client_id, date);

CREATE TABLE consents (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL CHECK (length(kind) > 0),
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  signed_by TEXT NOT NULL CHECK (length(signed_by) > 0)
) STRICT;
CREATE INDEX consents_client ON consents(client_id);

CREATE TABLE measurements (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  visit_id INTEGER REFERENCES visits(id),
  kind TEXT NOT NULL CHECK (kind IN ('skin', 'hair', 'healed')),
  region TEXT NOT NULL DEFAULT '',
  L REAL NOT NULL CHECK (L BETWEEN 0 AND 100),
  a REAL NOT NULL,
  b REAL NOT NULL,
  calibration_de00 REAL CHECK (calibration_de00 >= 0),
  photo_path TEXT,
  photo_sha256 TEXT CHECK (photo_sha256 IS NULL OR
                           (length(photo_sha256) = 64 AND photo_sha256 NOT GLOB '*[^0-9a-f]*')),
  taken_at TEXT NOT NULL
) STRICT;
CREATE INDEX measurements_client ON measurements(client_id, kind, region);
CREATE INDEX measurements_visit ON measurements(visit_id);

CREATE TABLE lots (
  vendor TEXT NOT NULL,
  code TEXT NOT NULL,
  lot TEXT NOT NULL,
  expiry TEXT,
  PRIMARY KEY (vendor, code, lot)
) STRICT, WITHOUT ROWID;

CREATE TABLE formulas (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  visit_id INTEGER REFERENCES visits(id),
  replaces INTEGER REFERENCES formulas(id),
  region TEXT NOT NULL DEFAULT '',
  target_L REAL NOT NULL CHECK (target_L BETWEEN 0 AND 100),
  target_a REAL NOT NULL,
  target_b REAL NOT NULL,
  model TEXT NOT NULL,
  catalog TEXT NOT NULL,
  predicted_L REAL NOT NULL CHECK (predicted_L BETWEEN 0 AND 100),
  predicted_a REAL NOT NULL,
  predicted_b REAL NOT NULL,
  delta_e00 REAL NOT NULL CHECK (delta_e00 >= 0),
  notes TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX formulas_client ON formulas(client_id);
-- Partial indexes: most formulas have no visit and replace nothing, and an entry per NULL
-- would cost every insert. A lookup "visit_id = ?" (foreign-key checks) still uses them.
CREATE INDEX formulas_visit ON formulas(visit_id) WHERE visit_id IS NOT NULL;
-- A version is corrected at most once: the versions of a formula form a chain.
CREATE UNIQUE INDEX formulas_replaces ON formulas(replaces) WHERE replaces IS NOT NULL;

CREATE TABLE formula_components (
  formula_id INTEGER NOT NULL REFERENCES formulas(id),
  position INTEGER NOT NULL,
  vendor TEXT NOT NULL,
  code TEXT NOT NULL,
  lot TEXT,
  drops REAL NOT NULL CHECK (drops >= 0),
  ml REAL NOT NULL CHECK (ml >= 0),
  PRIMARY KEY (formula_id, position),
  FOREIGN KEY (vendor, code, lot) REFERENCES lots(vendor, code, lot)
) STRICT, WITHOUT ROWID;
CREATE INDEX components_lot ON formula_components(lot) WHERE lot IS NOT NULL;

-- Formulas are immutable. The only way a formula leaves is with its client (the right to be
-- forgotten): erase_client() names the client here for the length of its transaction.
CREATE TABLE erasing (client_id INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER formulas_immutable BEFORE UPDATE ON formulas
BEGIN
  SELECT RAISE(ABORT, 'formulas are immutable: save a correction as a new version');
END;
CREATE TRIGGER formulas_kept BEFORE DELETE ON formulas
WHEN NOT EXISTS (SELECT 1 FROM erasing WHERE client_id = OLD.client_id)
BEGIN
  SELECT RAISE(ABORT, 'formulas are never deleted, except by erasing their client');
END;
CREATE TRIGGER components_immutable BEFORE UPDATE ON formula_components
BEGIN
  SELECT RAISE(ABORT, 'formulas are immutable: save a correction as a new version');
END;
CREATE TRIGGER components_kept BEFORE DELETE ON formula_components
WHEN NOT EXISTS (SELECT 1 FROM erasing JOIN formulas ON formulas.client_id = erasing.client_id
                 WHERE formulas.id = OLD.formula_id)
BEGIN
  SELECT RAISE(ABORT, 'formulas are never deleted, except by erasing their client');
END;
CREATE TRIGGER formulas_replace_own BEFORE INSERT ON formulas
WHEN NEW.replaces IS NOT NULL AND
     NOT EXISTS (SELECT 1 FROM formulas WHERE id = NEW.replaces AND client_id = NEW.client_id)
BEGIN
  SELECT RAISE(ABORT, 'a correction must replace a formula of the same client');
END;
PRAGMA application_id = 1346850132;  -- "PGMT"
PRAGMA user_version = 1;
