#include "database.h"

#include <exception>

namespace pigmatch::gui {

std::filesystem::path database_path(const QString& db_option) {
  if (!db_option.isEmpty())
    return std::filesystem::path(db_option.toStdString());
  return store::default_database_path();
}

namespace {

QString what_to_do(const Error& error) {
  if (dynamic_cast<const store::NewerSchemaError*>(&error) != nullptr) {
    return QStringLiteral("Open it with the newer pigmatch that wrote it, or update pigmatch.");
  }
  if (dynamic_cast<const store::NotADatabaseError*>(&error) != nullptr) {
    return QStringLiteral(
        "Give another file with --db FILE, or restore the database from a backup "
        "('pigmatch db backup' copies).");
  }
  if (error.code() == ErrorCode::busy) {
    return QStringLiteral(
        "Another pigmatch is writing to it: wait until it finishes, then "
        "start pigmatch-gui again.");
  }
  if (error.code() == ErrorCode::not_found) {
    return QStringLiteral(
        "Give the database with --db FILE (or $PIGMATCH_DB), or start a new one there: "
        "pigmatch-gui offers to when it starts.");
  }
  return QStringLiteral(
      "Check the file and its folder's permissions, or give another file "
      "with --db FILE.");
}

}  // namespace

OpenedDatabase open_database(const std::filesystem::path& path, bool create) {
  OpenedDatabase opened;
  const QString file = QString::fromStdString(path.string());
  try {
    const bool on_server = store::is_server_location(path.native());
    if (create && !on_server && path.has_parent_path())
      std::filesystem::create_directories(path.parent_path());
    store::OpenOptions options;
    options.create_if_missing = create;
    opened.store.emplace(store::Store::open(path, options));
  } catch (const Error& e) {
    opened.missing = e.code() == ErrorCode::not_found && !store::is_server_location(path.native());
    opened.error = QStringLiteral("Cannot open the client database %1.\n\n%2\n\n%3")
                       .arg(file, QString::fromStdString(e.what()), what_to_do(e));
  } catch (const std::exception& e) {
    opened.error = QStringLiteral("Cannot open the client database %1.\n\n%2")
                       .arg(file, QString::fromStdString(e.what()));
  }
  return opened;
}

}  // namespace pigmatch::gui
