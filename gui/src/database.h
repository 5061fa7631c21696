// database — which client database the GUI opens, and opening it with messages a practitioner
// can act on. The path rule is libcore's (store::default_database_path), the CLI's too:
// --db FILE, else $PIGMATCH_DB, else $XDG_DATA_HOME/pigmatch/pigmatch.db.
#pragma once

#include <QString>
#include <filesystem>
#include <optional>

#include "pigmatch/store/store.h"

namespace pigmatch::gui {

/// `db_option` when not empty, else store::default_database_path().
std::filesystem::path database_path(const QString& db_option);

/// The open store, or (when it could not be opened) why and what to do, for a message box.
struct OpenedDatabase {
  std::optional<store::Store> store;
  QString error;
  bool missing = false;  ///< no database there yet: the caller may offer to start one
};

/// Opens the database at `path`; with `create`, starts a new one when there is none (its folder
/// included). Never throws: every failure becomes `error`.
OpenedDatabase open_database(const std::filesystem::path& path, bool create = false);

}  // namespace pigmatch::gui
