// The rules a record must follow before it reaches the database, with messages that say what is
// wrong and what to do (the schema's CHECK constraints and triggers are the last line, not the
// first). Two levels: every row written, imported ones included, must have the right form
// (validate); a record typed now (add_client, add_visit, add_consent) must also make sense today
// (a real calendar date, not in the future, a name that displays as what it is).
#pragma once

#include <string>
#include <string_view>

#include "pigmatch/store/store.h"

namespace pigmatch::store::detail {

/// Throws Error(invalid_argument, message).
[[noreturn]] void invalid(const std::string& message);

void require_lab(std::string_view what, const Lab& lab);
void require_text(std::string_view what, std::string_view text);

/// The form of each kind of row: what the schema would refuse, said in words first.
void validate(const Client& client);
void validate(const Visit& visit);
void validate(const Consent& consent);
void validate(const Measurement& measurement);
void validate(const Formula& formula);

/// `date` ("YYYY-MM-DD", the Gregorian calendar) is a day that exists: 2026-02-30 is not.
bool is_calendar_date(std::string_view date);

/// The date a record typed now may carry at the latest: tomorrow in UTC, so that a studio a
/// few hours ahead of UTC can record today's visit (its local date) at any hour.
std::string latest_date_allowed();

/// A client typed now: the name and the other one-line fields cleaned of surrounding blanks;
/// refused when the name is blank, when a field holds control characters or Unicode's
/// bidirectional controls (U+202E and its kind make a name display in another order than it
/// was typed, so a list shows one client under another's name), or when the birth date is not
/// a real day between 1900 and today.
Client new_client(const Client& client, std::string_view latest_date);
/// A visit typed now: a real date, not after `latest_date`; one-line fields cleaned as above.
Visit new_visit(const Visit& visit, std::string_view latest_date);
/// A consent typed now: as new_visit.
Consent new_consent(const Consent& consent, std::string_view latest_date);

}  // namespace pigmatch::store::detail
