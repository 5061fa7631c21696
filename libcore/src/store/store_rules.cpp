// The rules of store_rules.h.
#include "store/store_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "pigmatch/error.h"

namespace pigmatch::store::detail {
namespace {

// The form "YYYY-MM-DD" with a month 1–12 and a day 1–31: what rows imported from older
// databases are held to (is_calendar_date is the stricter rule for records typed now).
bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0)
      return false;
  }
  const int month = std::atoi(std::string(text.substr(5, 2)).c_str());
  const int day = std::atoi(std::string(text.substr(8, 2)).c_str());
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// The day "YYYY-MM-DD" names, checked by is_iso_date first (it may still not exist: ok()).
std::chrono::year_month_day day_of(std::string_view date) {
  const auto number = [&](std::size_t at, std::size_t digits) {
    return std::atoi(std::string(date.substr(at, digits)).c_str());
  };
  return {std::chrono::year{number(0, 4)}, std::chrono::month{static_cast<unsigned>(number(5, 2))},
          std::chrono::day{static_cast<unsigned>(number(8, 2))}};
}

void require_date(std::string_view what, std::string_view text) {
  if (!is_iso_date(text)) {
    invalid(
        fmt::format("{} '{}' is not a date; write it as YYYY-MM-DD, e.g. 2025-03-14", what, text));
  }
}

void require_amount(std::string_view what, double value) {
  if (!std::isfinite(value) || value < 0) {
    invalid(fmt::format("{} {} must be a finite number ≥ 0", what, value));
  }
}

// ---- text typed into a record ----------------------------------------------------------------

// One code point decoded from UTF-8, or nothing for a malformed, overlong or surrogate sequence.
struct Decoded {
  char32_t code_point;
  std::size_t length;
};

std::optional<Decoded> decode_utf8(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80)
    return Decoded{lead, 1};
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2, value = lead & 0x1FU, smallest = 0x80;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3, value = lead & 0x0FU, smallest = 0x800;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4, value = lead & 0x07U, smallest = 0x10000;
  } else {
    return std::nullopt;
  }
  if (at + length > text.size())
    return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U)
      return std::nullopt;
    value = (value << 6U) | (byte(i) & 0x3FU);
  }
  if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
    return std::nullopt;
  return Decoded{value, length};
}

// Unicode's explicit bidirectional formatting characters (UAX #9, table 1) and the marks.
bool is_bidi_control(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

bool is_blank(char32_t c) {
  return c == ' ' || c == '\t' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

// `text` without blanks at either end; refused when it is not UTF-8 or holds a character that
// would make it display as something else than it is.
std::string cleaned_line(std::string_view what, std::string_view text) {
  std::size_t first_kept = text.size();
  std::size_t end_kept = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::optional<Decoded> d = decode_utf8(text, at);
    if (!d) {
      invalid(fmt::format("{} is not UTF-8 text (byte {} of it); type it again", what, at + 1));
    }
    if (is_bidi_control(d->code_point)) {
      invalid(
          fmt::format("{} holds an invisible direction control (U+{:04X}), which makes it "
                      "display in another order than it was typed; type it without it",
                      what, static_cast<std::uint32_t>(d->code_point)));
    }
    if (is_control(d->code_point) && !is_blank(d->code_point)) {
      invalid(
          fmt::format("{} holds a control character (U+{:04X}); it must be one line of "
                      "text",
                      what, static_cast<std::uint32_t>(d->code_point)));
    }
    if (!is_blank(d->code_point)) {
      first_kept = std::min(first_kept, at);
      end_kept = at + d->length;
    }
    at += d->length;
  }
  if (first_kept >= end_kept)
    return {};
  return std::string(text.substr(first_kept, end_kept - first_kept));
}

void clean(std::string& field, std::string_view what) {
  field = cleaned_line(what, field);
}

// ---- dates --------------------------------------------------------------------------------------

constexpr std::string_view earliest_date = "1900-01-01";

std::string iso_date(std::chrono::year_month_day day) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
}

// A real day from 1900 to `latest` (both "YYYY-MM-DD", so they compare as text).
void require_day_in_range(std::string_view what, std::string_view date, std::string_view latest) {
  require_date(what, date);
  if (!is_calendar_date(date)) {
    const std::chrono::year_month_day day = day_of(date);
    const std::chrono::year_month_day_last last{day.year(),
                                                std::chrono::month_day_last{day.month()}};
    invalid(fmt::format("{} {} is not a day of the calendar: month {} of {} has {} days", what,
                        date, date.substr(5, 2), date.substr(0, 4),
                        static_cast<unsigned>(last.day())));
  }
  if (date < earliest_date) {
    invalid(fmt::format("{} {} is before {}; check the year", what, date, earliest_date));
  }
  if (date > latest) {
    invalid(
        fmt::format("{} {} is in the future; a record is made on or after the day it "
                    "describes (check the year)",
                    what, date));
  }
}

}  // namespace

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::invalid_argument, message);
}

void require_lab(std::string_view what, const Lab& lab) {
  if (!std::isfinite(lab.L) || !std::isfinite(lab.a) || !std::isfinite(lab.b) || lab.L < 0 ||
      lab.L > 100) {
    invalid(fmt::format("{} {},{},{} is not a colour: L* must be 0–100 and a*, b* finite", what,
                        lab.L, lab.a, lab.b));
  }
}

void require_text(std::string_view what, std::string_view text) {
  if (text.empty())
    invalid(fmt::format("{} is missing", what));
}

void validate(const Client& c) {
  require_text("the client's name", c.name);
  if (!c.birth_date.empty())
    require_date("the birth date", c.birth_date);
}

void validate(const Visit& v) {
  require_date("the visit date", v.date);
}

void validate(const Consent& c) {
  require_text("the consent kind", c.kind);
  require_date("the consent date", c.date);
  require_text("who signed the consent", c.signed_by);
}

void validate(const Measurement& m) {
  require_lab("the measured colour", m.lab);
  if (m.calibration_de00 && !(std::isfinite(*m.calibration_de00) && *m.calibration_de00 >= 0)) {
    invalid("the calibration error must be a finite ΔE00 ≥ 0");
  }
  if (m.uncertainty_de00 && !(std::isfinite(*m.uncertainty_de00) && *m.uncertainty_de00 >= 0)) {
    invalid("the measurement's uncertainty must be a finite ΔE00 ≥ 0");
  }
  const bool hex = std::all_of(m.photo_sha256.begin(), m.photo_sha256.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || (c >= 'a' && c <= 'f');
  });
  if (!m.photo_sha256.empty() && (m.photo_sha256.size() != 64 || !hex)) {
    invalid(fmt::format("photo SHA-256 '{}' must be 64 lowercase hex digits", m.photo_sha256));
  }
}

void validate(const Formula& f) {
  require_lab("the formula's target", f.target);
  require_lab("the formula's predicted colour", f.predicted);
  require_text("the formula's mixing model", f.model);
  require_text("the formula's catalog", f.catalog);
  require_amount("the formula's ΔE00", f.delta_e00);
  if (f.components.empty())
    invalid("a formula needs at least one component");
  for (std::size_t i = 0; i < f.components.size(); ++i) {
    const Component& c = f.components[i];
    // The message is built only for a bad component: a bulk import validates millions.
    const bool amounts_ok =
        std::isfinite(c.drops) && c.drops >= 0 && std::isfinite(c.ml) && c.ml >= 0;
    if (c.vendor.empty() || c.code.empty() || !amounts_ok) {
      const std::string where = fmt::format("component {}", i + 1);
      require_text(where + " vendor", c.vendor);
      require_text(where + " code", c.code);
      require_amount(where + " drops", c.drops);
      require_amount(where + " millilitres", c.ml);
    }
  }
}

bool is_calendar_date(std::string_view date) {
  return is_iso_date(date) && day_of(date).ok();
}

std::string latest_date_allowed() {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return iso_date(std::chrono::year_month_day{today + std::chrono::days{1}});
}

Client new_client(const Client& client, std::string_view latest_date) {
  Client out = client;
  clean(out.name, "the client's name");
  if (out.name.empty())
    invalid("the client's name is blank; give the client's full name");
  clean(out.phone, "the phone number");
  clean(out.email, "the e-mail address");
  clean(out.birth_date, "the birth date");
  if (!out.birth_date.empty())
    require_day_in_range("the birth date", out.birth_date, latest_date);
  return out;
}

Visit new_visit(const Visit& visit, std::string_view latest_date) {
  Visit out = visit;
  clean(out.date, "the visit date");
  require_day_in_range("the visit date", out.date, latest_date);
  clean(out.area, "the treated area");
  clean(out.practitioner, "the practitioner");
  clean(out.needle, "the needle");
  return out;
}

Consent new_consent(const Consent& consent, std::string_view latest_date) {
  Consent out = consent;
  clean(out.date, "the consent date");
  require_day_in_range("the consent date", out.date, latest_date);
  clean(out.kind, "the consent kind");
  clean(out.signed_by, "who signed the consent");
  return out;
}

}  // namespace pigmatch::store::detail
