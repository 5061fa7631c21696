// database — which client database the GUI opens, and opening it with messages a practitioner
// can act on. The path rule is libcore's (store::default_database_path), the CLI's too:
// --db FILE, else $PIGMATCH_DB, else $XDG_DATA_HOME/pigmatch/pigmatch.db.
#pragma once

#include <QString>
#include <filesystem>
#include <optional>

#include "pigmatch/store.h"

namespace pigmatch::gui {

/// `db_option` when not empty, else store::default_database_path().
std::filesystem::path database_path(const QString& db_option);

/// The open store, or (when it could not be opened) why and what to do, for a message box.
struct OpenedDatabase {
  std::optional<store::Store> store;
  QString error;
};

/// Opens an existing database (the GUI only reads in this version, so it never creates one).
/// Never throws: every failure becomes `error`.
OpenedDatabase open_database(const std::filesystem::path& path);

}  // namespace pigmatch::gui
